"""The whole command tree follows one output convention (issue 19).

Every leaf command either prints data (it has ``--json``, so ``-o table|json|csv|ndjson``,
``--quiet`` and ``--field``, each named in its ``--help``) or is listed in ``NO_DATA``
with the reason it prints none. Commands other helpers are still converting are in
``PENDING_OTHER_HELPER``, which the integrator empties; no entry may go stale. A handful
of data commands run for real in each format on a seeded inventory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner, Result

from accessguard.cli.conventions import prints_data
from accessguard.cli.main import COMMANDS, _load, _module_exists, cli
from support.inventory import seed

#: Commands that print no data, and why (their notes go to stderr; they all take --quiet).
NO_DATA: dict[tuple[str, ...], str] = {
    ("audit", "export"): "writes the events as JSON Lines to --out FILE (or '-'), its own format",
    ("completion",): "prints the shell's completion script itself, for eval or a completions file",
    ("db", "upgrade"): "migrates the schema; prints only a note",
    ("login",): "stores a Vault token in the keyring; prints only a note",
    ("logout",): "removes the stored token; prints only a note",
    ("stepup", "enroll"): "shows a step-up QR code once, on a terminal only",
    ("totp", "show-qr"): "shows a 2FA QR code once, on a terminal unless --show-secrets",
    ("vault", "policy"): "prints the policy document itself, HCL for `bao policy write`",
}

#: Data-printing commands in files other helpers own, still without --json (to be emptied).
PENDING_OTHER_HELPER: frozenset[tuple[str, ...]] = frozenset()

FORMATS = "[table|json|csv|ndjson]"


def _walk(
    command: click.Command, path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _walk(sub, (*path, name))
    else:
        yield path, command


def _leaves() -> dict[tuple[str, ...], click.Command]:
    found: dict[tuple[str, ...], click.Command] = {}
    for name in sorted(COMMANDS):
        if _module_exists(name):
            command = _load(name)
            assert command is not None, name
            found.update(_walk(command, (name,)))
    return found


LEAVES = _leaves()
DATA = sorted(path for path, command in LEAVES.items() if prints_data(command))


def test_every_command_is_data_printing_or_listed_with_a_reason() -> None:
    assert len(LEAVES) > 60  # the walk found the tree
    for path, command in LEAVES.items():
        kinds = [prints_data(command), path in NO_DATA, path in PENDING_OTHER_HELPER]
        assert kinds.count(True) == 1, f"{' '.join(path)}: {kinds}"


def test_the_lists_name_real_commands_without_json() -> None:
    for path in [*NO_DATA, *PENDING_OTHER_HELPER]:
        assert path in LEAVES, f"{' '.join(path)} is no command: drop it from the list"
        assert not prints_data(LEAVES[path]), f"{' '.join(path)} has --json now: unlist it"
    assert all(reason.strip() for reason in NO_DATA.values())


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    from accessguard.db.engine import make_engine
    from accessguard.db.migrate import upgrade

    tmp = tmp_path_factory.mktemp("tree")
    database = f"sqlite:///{tmp / 'ag.db'}"
    engine = make_engine(database)
    upgrade(engine)
    engine.dispose()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ACCESSGUARD_ACTOR", "tester@example.com")
        patch.setenv("ACCESSGUARD_HOME", str(tmp / "home"))
        seed(database, tmp)
    return database


def _run(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", url, *args], catch_exceptions=False)


@pytest.mark.parametrize("path", DATA, ids=" ".join)
def test_help_lists_the_output_options(url: str, path: tuple[str, ...]) -> None:
    shown = _run(url, *path, "--help")
    assert shown.exit_code == 0, shown.stderr
    text = " ".join(shown.stdout.split())  # help wraps long lines
    # report access renders two formats of its own as well: -o takes them too.
    formats = FORMATS[:-1] + "|md|html]" if path == ("report", "access") else FORMATS
    assert f"-o, --output {formats}" in text
    assert "-q, --quiet" in text
    assert "--json" in text


@pytest.mark.parametrize("path", sorted(NO_DATA), ids=" ".join)
def test_commands_without_data_still_take_quiet(url: str, path: tuple[str, ...]) -> None:
    shown = _run(url, *path, "--help")
    assert "-q, --quiet" in shown.stdout
    assert "--output" not in shown.stdout


#: Data commands run for real (arguments after the path), beyond tests/cli/test_output_convention.py.
RUNS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("creds", "status"): (),
    ("totp", "status"): (),
    ("report", "keys"): (),
    ("creds", "exposed"): ("ann@example.com",),
    ("review", "pending"): (),
    ("connectors", "list"): (),
}


@pytest.mark.parametrize("path", sorted(RUNS), ids=" ".join)
def test_json_csv_and_quiet_for_real(url: str, path: tuple[str, ...]) -> None:
    args = (*path, *RUNS[path])
    as_json = _run(url, *args, "-o", "json")
    assert as_json.exit_code == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    as_csv = _run(url, *args, "-o", "csv")
    if as_csv.exit_code == 2:  # nested data: one clear refusal, nothing on stdout
        assert as_csv.stdout == ""
        assert as_csv.stderr.startswith("error: this command's output has no CSV form")
    else:
        assert as_csv.exit_code == 0, as_csv.stderr
        rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
        assert len(rows) == (len(data) if isinstance(data, list) else len(rows))
    quiet = _run(url, *args, "-o", "json", "--quiet")
    assert quiet.stderr == ""
    assert json.loads(quiet.stdout) == data


def test_converted_commands_fail_in_one_line_with_json(url: str) -> None:
    """Bad input to a newly converted command: an error on stderr, nothing on stdout."""
    missing = _run(url, "runs", "unlock", "no-such-run", "-o", "json")
    assert missing.exit_code == 1
    assert missing.stdout == ""
    assert missing.stderr.startswith("error: ")
    unaccept = _run(url, "report", "unaccept", "expired-grant:grant:999", "--json")
    assert unaccept.exit_code != 0
    assert unaccept.stdout == ""
    assert unaccept.stderr.startswith("error: ")


#: The command modules of issue 19's second part: a person is PERSON there, never EMAIL.
PERSON_MODULES = {
    f"accessguard.cli.{name}"
    for name in ("creds", "totp", "runs", "report", "review", "vault", "login", "stepup")
}


def test_a_person_is_person_in_help() -> None:
    checked = 0
    for path, command in LEAVES.items():
        if getattr(command.callback, "__module__", None) not in PERSON_MODULES:
            continue
        checked += 1
        for param in command.params:
            metavar = param.metavar or ""
            assert "EMAIL" not in metavar, f"{' '.join(path)} {param.name}: {metavar}"
    assert checked > 30
