"""What tripped a new admin in their first hour (issue 19), each fixed and kept so."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from accessguard.cli.main import cli
from support.inventory import invoke, seed

STAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\b")
OLD_STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


@pytest.fixture()
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    from accessguard.db.engine import make_engine
    from accessguard.db.migrate import upgrade

    database = f"sqlite:///{tmp_path / 'ag.db'}"
    engine = make_engine(database)
    upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("ACCESSGUARD_ACTOR", "tester@example.com")
    monkeypatch.setenv("ACCESSGUARD_HOME", str(tmp_path / "home"))
    seed(database, tmp_path)
    return database


def test_the_access_report_and_its_acceptances_write_the_one_timestamp_format(url: str) -> None:
    finding = "single-admin:account:brand-ig"
    until = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    accepted = invoke(url, "report", "accept", finding, "--until", until, "--reason", "r")
    assert accepted.exit_code == 0, accepted.stderr
    assert STAMP.search(accepted.stderr), accepted.stderr
    report = invoke(url, "report", "access")
    assert report.exit_code == 0, report.stderr
    assert STAMP.search(report.stdout.splitlines()[0]), report.stdout.splitlines()[0]
    acceptances = invoke(url, "report", "acceptances")
    for text in (report.stdout, acceptances.stdout, accepted.stderr):
        assert not OLD_STAMP.search(text), text
    assert STAMP.search(acceptances.stdout), acceptances.stdout


def test_empty_csv_with_no_headers_and_quiet_prints_nothing(url: str) -> None:
    result = CliRunner().invoke(
        cli, ["--db", url, "runs", "list", "-o", "csv", "-q"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""


ROOT = Path(__file__).resolve().parents[2]


def test_every_person_the_readme_names_is_in_the_example_company() -> None:
    """The tour's commands work on `examples/` as written (a reviewer once was nobody)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    with (ROOT / "examples/people.csv").open(encoding="utf-8") as handle:
        people = {row["email"] for row in csv.DictReader(handle)}
    named = set(re.findall(r"[\w.]+@example\.com", readme)) - {"you@example.com"}
    assert named
    assert named <= people, named - people


def test_step_up_help_says_it_is_on_by_default() -> None:
    result = CliRunner().invoke(cli, ["creds", "set", "--help"], catch_exceptions=False)
    assert "step-up is on unless the config file turns it off" in " ".join(result.stdout.split())


def test_vault_user_with_nothing_on_stdin_says_so_not_too_short(url: str) -> None:
    result = CliRunner().invoke(
        cli, ["--db", url, "vault", "user", "ann@example.com"], input="", catch_exceptions=False
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: no password given",
        "hint: pipe it on stdin or type it at the prompt",
    ]


@pytest.mark.parametrize("command", [("audit", "log"), ("audit", "export", "--out", "-")])
def test_a_bad_since_names_the_option_and_how_to_write_a_date(
    url: str, command: tuple[str, ...]
) -> None:
    result = invoke(url, *command, "--since", "yesterday")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: --since: 'yesterday' is not a date or time (ISO 8601)",
        "hint: write it YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SSZ (UTC)",
    ]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["creds", "import", "export.json"],
            "error: missing option '--from'. Choose from: bitwarden, 1password, keepass, csv",
        ),
        (
            ["review", "decide", "3", "revok"],
            "error: invalid value for 'DECISION': 'revok' is not one of 'keep', 'revoke'",
        ),
        (
            ["completion", "tcsh"],
            "error: invalid value for 'SHELL': 'tcsh' is not one of 'bash', 'zsh', 'fish'",
        ),
    ],
    ids=["missing-choice-option", "choice-argument", "completion-shell"],
)
def test_usage_errors_are_one_line_naming_the_argument(args: list[str], error: str) -> None:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == error
    assert len(lines) == 2
    assert lines[1].startswith("hint: see `accessguard ")


def test_db_current_prints_the_revision_and_json_names_the_database(url: str) -> None:
    from accessguard.db.engine import make_engine
    from accessguard.db.migrate import current_revision

    engine = make_engine(url)
    revision = current_revision(engine)
    engine.dispose()
    assert revision
    plain = invoke(url, "db", "current")
    assert plain.stdout == f"{revision}\n"
    data = json.loads(invoke(url, "db", "current", "-o", "json").stdout)
    assert data == {"database": url, "revision": revision}


@pytest.mark.parametrize(
    "args",
    [
        ("report", "access", "--format", "html", "--out", "{out}"),
        ("report", "keys", "-o", "json", "--out", "{out}"),
        ("audit", "export", "--out", "{out}"),
        ("--log-file", "{out}", "people", "list"),
    ],
    ids=["report-access", "report-keys", "audit-export", "log-file"],
)
def test_an_output_file_in_a_missing_folder_is_an_error_not_a_new_folder(
    url: str, tmp_path: Path, args: tuple[str, ...]
) -> None:
    out = tmp_path / "typo" / "file.out"
    result = invoke(url, *(a.format(out=out) for a in args))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"error: cannot write {out}: the folder {out.parent} does not exist"
    )
    assert not out.parent.exists()


def test_totp_enroll_with_nothing_on_stdin_says_so_not_too_short(url: str) -> None:
    result = CliRunner().invoke(
        cli, ["--db", url, "totp", "enroll", "brand-x"], input="", catch_exceptions=False
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "error: no otpauth:// URI or base32 seed given on stdin"


@pytest.mark.parametrize(
    ("text", "error", "hint"),
    [
        (
            '[databse]\nurl = "sqlite:///x.db"\n',
            "unknown section [databse]",
            'hint: did you mean "[database]"? sections: database, vault,',
        ),
        (
            '[database]\nulr = "sqlite:///x.db"\n',
            "unknown setting 'ulr'",
            'hint: did you mean "url"?',
        ),
    ],
    ids=["section", "setting"],
)
def test_a_mistyped_config_name_gets_a_suggestion(
    tmp_path: Path, text: str, error: str, hint: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    result = CliRunner().invoke(
        cli, ["--config", str(config), "people", "list"], catch_exceptions=False
    )
    assert result.exit_code == 1
    first, second = result.stderr.splitlines()
    assert first.startswith("error: ") and first.endswith(error)
    assert second.startswith(hint)
    assert list(tmp_path.iterdir()) == [config]  # nothing created


@pytest.mark.parametrize("address", ["notaurl", "vault.example.com:8200"])
def test_a_vault_address_without_a_scheme_is_named_before_any_connection(
    url: str, address: str
) -> None:
    result = CliRunner().invoke(
        cli, ["--db", url, "vault", "status"], env={"VAULT_ADDR": address}, catch_exceptions=False
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: the Vault address {address!r} is not a URL",
        "hint: write it with its scheme: https://vault.example.com:8200 "
        "(VAULT_ADDR, [vault].addresses)",
    ]


def test_report_access_format_and_output_disagreeing_is_an_error_with_a_hint(url: str) -> None:
    result = invoke(url, "report", "access", "-o", "json", "--format", "csv")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: --format csv and -o json disagree",
        "hint: give one of them: -o is the same as --format",
    ]


def test_report_access_csv_follows_no_headers_and_the_one_timestamp_format(url: str) -> None:
    until = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    finding = "single-admin:account:brand-ig"
    assert (
        invoke(url, "report", "accept", finding, "--until", until, "--reason", "r").exit_code == 0
    )
    full = invoke(url, "report", "access", "-o", "csv")
    bare = invoke(url, "report", "access", "-o", "csv", "--no-headers")
    assert bare.exit_code == full.exit_code == 0
    assert bare.stdout.splitlines() == full.stdout.splitlines()[1:]
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(full.stdout))}
    assert STAMP.fullmatch(rows[finding]["accepted_until"]), rows[finding]


def test_every_subcommand_a_group_summary_names_exists() -> None:
    """`accessguard --help` says what a group does; each name it lists is a real subcommand."""
    import click

    from accessguard.cli.main import COMMANDS, _load

    checked = 0
    for name, (_, summary) in COMMANDS.items():
        command = _load(name)
        if not isinstance(command, click.Group) or ": " not in summary:
            continue
        listed = summary.split(": ", 1)[1].rstrip(".")
        for item in listed.split(","):
            word = item.split()[0]
            assert word in command.commands, f"`accessguard --help`: {name} lists {word!r}"
            checked += 1
    assert checked > 30
