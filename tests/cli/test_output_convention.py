"""The one output convention, walked over the whole command tree.

Every command that prints data (it has ``--json``) accepts ``-o table|json|csv|ndjson``,
``--quiet``, ``--no-headers`` and ``--color``; the read commands are run for real on a
seeded SQLite inventory in every format.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from accessguard.cli.conventions import prints_data
from accessguard.cli.main import COMMANDS, _load, _module_exists, cli
from accessguard.cli.output import NO_CSV
from support.inventory import seed

SHIPPED = Path(__file__).resolve().parents[2] / "src/accessguard/playbooks/shipped"

#: The data-printing commands that only read the inventory: run in every format below.
READS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("accounts", "list"): (),
    ("accounts", "show"): ("brand-x",),
    ("audit", "log"): (),
    ("audit", "verify"): (),
    ("connectors", "list"): (),
    ("db", "current"): (),
    ("holdings",): ("ann@example.com",),
    ("who-has",): ("brand-ig",),
    ("people", "list"): (),
    ("people", "show"): ("ann@example.com",),
    ("people", "history"): ("ann@example.com",),
    ("playbooks", "list"): (),
    ("playbooks", "show"): ("standard",),
    ("playbooks", "validate"): (str(SHIPPED / "standard.yaml"),),
    ("report", "acceptances"): (),
    ("review", "pending"): (),
    ("runs", "list"): (),
}


def _walk(
    command: click.Command, path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _walk(sub, (*path, name))
    else:
        yield path, command


def _data_commands() -> dict[tuple[str, ...], click.Command]:
    found: dict[tuple[str, ...], click.Command] = {}
    for name in sorted(COMMANDS):
        if _module_exists(name):
            command = _load(name)
            assert command is not None
            found.update((p, c) for p, c in _walk(command, (name,)) if prints_data(c))
    return found


def test_every_data_printing_command_has_the_output_options() -> None:
    commands = _data_commands()
    assert len(commands) > 40  # the walk found the tree, not an empty registry
    for path, command in commands.items():
        options = {opt: p for p in command.params for opt in p.opts}
        where = " ".join(path)
        output = options.get("-o")
        assert output is not None, f"{where} has no -o"
        assert isinstance(output.type, click.Choice), where
        choices = list(output.type.choices)
        assert choices[:4] == ["table", "json", "csv", "ndjson"], where
        # Only a command that renders formats of its own (report access: md, html) has more.
        assert choices[4:] == (["md", "html"] if path == ("report", "access") else []), where
        for flag in ("--output", "--quiet", "-q", "--no-headers", "--field", "--color", "--json"):
            assert flag in options, f"{where} has no {flag}"


def test_every_command_takes_quiet() -> None:
    for name in sorted(COMMANDS):
        if _module_exists(name):
            command = _load(name)
            assert command is not None
            for path, leaf in _walk(command, (name,)):
                flags = {opt for p in leaf.params for opt in p.opts}
                assert "--quiet" in flags, " ".join(path)


def test_the_root_group_takes_the_output_options_as_defaults() -> None:
    options = {opt for p in cli.params for opt in p.opts}
    assert {"-o", "--output", "--quiet", "--no-headers", "--color"} <= options


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    from accessguard.db.engine import make_engine
    from accessguard.db.migrate import upgrade

    tmp = tmp_path_factory.mktemp("output")
    database = f"sqlite:///{tmp / 'ag.db'}"
    engine = make_engine(database)
    upgrade(engine)
    engine.dispose()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ACCESSGUARD_ACTOR", "tester@example.com")
        patch.setenv("ACCESSGUARD_HOME", str(tmp / "home"))
        seed(database, tmp)
    return database


def _run(url: str, path: tuple[str, ...], *extra: str, env: dict[str, str] | None = None) -> Result:
    args = ["--db", url, *path, *READS[path], *extra]
    return CliRunner().invoke(cli, args, catch_exceptions=False, env=env)


READ_PATHS = sorted(READS)


def test_every_read_command_is_a_data_printing_command() -> None:
    assert set(READS) <= set(_data_commands())


@pytest.mark.parametrize("path", READ_PATHS, ids=" ".join)
def test_json_is_the_same_as_dash_o_json(url: str, path: tuple[str, ...]) -> None:
    alias, long = _run(url, path, "--json"), _run(url, path, "-o", "json")
    assert alias.exit_code == 0, alias.stderr
    assert json.loads(alias.stdout) == json.loads(long.stdout)
    root = CliRunner().invoke(cli, ["--db", url, "-o", "json", *path, *READS[path]])
    assert json.loads(root.stdout) == json.loads(alias.stdout)


@pytest.mark.parametrize("path", READ_PATHS, ids=" ".join)
def test_ndjson_is_one_object_a_line(url: str, path: tuple[str, ...]) -> None:
    data = json.loads(_run(url, path, "--json").stdout)
    result = _run(url, path, "-o", "ndjson")
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines == (data if isinstance(data, list) else [data])


@pytest.mark.parametrize("path", READ_PATHS, ids=" ".join)
def test_csv_is_the_json_flattened_or_one_clear_refusal(url: str, path: tuple[str, ...]) -> None:
    data = json.loads(_run(url, path, "--json").stdout)
    result = _run(url, path, "-o", "csv")
    if result.exit_code == 2:
        assert result.stdout == ""
        assert result.stderr.splitlines()[0] == f"error: {NO_CSV}"
        assert "Traceback" not in result.stderr
        return
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    items = data if isinstance(data, list) else [data]
    if isinstance(data, dict):  # a record holding one list of records: its rows
        lists = [v for v in data.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        items = lists[0] if len(lists) == 1 else items
    assert len(rows) == len(items)
    for row, item in zip(rows, items, strict=True):
        assert set(row) == set(item)
    headless = _run(url, path, "-o", "csv", "--no-headers")
    assert headless.stdout.splitlines() == result.stdout.splitlines()[1:]


@pytest.mark.parametrize("path", READ_PATHS, ids=" ".join)
def test_quiet_prints_only_the_data(url: str, path: tuple[str, ...]) -> None:
    loud, quiet = _run(url, path, "--json"), _run(url, path, "--json", "--quiet")
    assert quiet.exit_code == loud.exit_code == 0
    assert quiet.stdout == loud.stdout
    assert quiet.stderr == ""


@pytest.mark.parametrize("path", READ_PATHS, ids=" ".join)
def test_no_color_means_no_escapes(url: str, path: tuple[str, ...]) -> None:
    for extra in ((), ("--color", "never"), ("--no-headers",)):
        result = _run(url, path, *extra, env={"NO_COLOR": "1"})
        assert result.exit_code == 0, result.stderr
        assert "\x1b[" not in result.stdout + result.stderr


def test_color_always_colours_and_never_does_not(url: str) -> None:
    always = _run(url, ("people", "list"), "--color", "always", env={"NO_COLOR": "1"})
    assert "\x1b[" in always.stdout  # an explicit --color beats NO_COLOR
    never = _run(url, ("people", "list"), "--color", "never")
    assert "\x1b[" not in never.stdout


def test_no_headers_drops_the_table_header(url: str) -> None:
    full = _run(url, ("people", "list")).stdout.splitlines()
    bare = _run(url, ("people", "list"), "--no-headers").stdout.splitlines()
    assert full[0].split()[0] == "EMAIL"
    assert bare == full[1:]


def test_json_and_another_format_disagree_in_one_line(url: str) -> None:
    result = _run(url, ("people", "list"), "--json", "-o", "csv")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == "error: --json and -o csv disagree"


def test_quiet_silences_the_notes_of_a_change(url: str, tmp_path: Path) -> None:
    loud = CliRunner().invoke(
        cli, ["--db", url, "accounts", "add", "brand-q", "--platform", "x", "--handle", "q"]
    )
    assert loud.exit_code == 0, loud.stderr
    assert "added brand-q" in loud.stderr
    quiet = CliRunner().invoke(
        cli, ["--db", url, "-q", "accounts", "add", "brand-r", "--platform", "x", "--handle", "r"]
    )
    assert quiet.exit_code == 0, quiet.stderr
    assert quiet.stdout == quiet.stderr == ""


def test_accounts_list_has_csv_with_settings_as_json(url: str) -> None:
    result = _run(url, ("accounts", "list"), "-o", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["name"] for row in rows} >= {"brand-x", "brand-ig"}
    assert all(isinstance(json.loads(row["settings"] or "{}"), dict) for row in rows)


def test_an_empty_list_in_csv_prints_nothing(url: str) -> None:
    result = _run(url, ("runs", "list"), "-o", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""


def test_nested_data_is_json_in_a_cell_and_lists_are_rows(url: str) -> None:
    nested = _run(url, ("people", "history"), "-o", "csv")
    assert nested.exit_code == 0, nested.stderr
    [employment] = list(csv.DictReader(io.StringIO(nested.stdout)))
    accounts = {grant["account"] for grant in json.loads(employment["grants"])}
    assert accounts == {"brand-x", "brand-ig"}
    grants = _run(url, ("who-has",), "-o", "csv")
    people = [row["person"] for row in csv.DictReader(io.StringIO(grants.stdout))]
    assert sorted(people) == ["ann@example.com", "cy@agency.example"]
    flat = _run(url, ("people", "list"), "-o", "csv")
    emails = [row["email"] for row in csv.DictReader(io.StringIO(flat.stdout))]
    assert "ann@example.com" in emails


@pytest.mark.parametrize(
    "path", [("who-has",), ("audit", "log"), ("people", "history")], ids=" ".join
)
def test_tables_write_timestamps_one_way(url: str, path: tuple[str, ...]) -> None:
    import re

    result = _run(url, path)
    assert result.exit_code == 0, result.stderr
    assert re.search(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\b", result.stdout), result.stdout
    assert "+00:00" not in result.stdout
    assert not re.search(r":\d{2}\.\d+", result.stdout)  # no fractions of a second


def test_a_command_that_only_reports_is_silent_with_quiet(url: str) -> None:
    args = ["--db", url, "people", "add", "dee@example.com", "--name", "Dee"]
    loud = CliRunner().invoke(cli, args)
    assert loud.exit_code == 0, loud.stderr
    assert loud.stderr != ""
    quiet = CliRunner().invoke(cli, [*args[:-3], "eve@example.com", "--name", "Eve", "--quiet"])
    assert quiet.exit_code == 0, quiet.stderr
    assert quiet.stdout == quiet.stderr == ""
    root = CliRunner().invoke(cli, ["--db", url, "-q", "people", "add", "fay@example.com"])
    assert root.exit_code == 2  # --name is required: the usage error still shows
    assert "--name" in root.stderr
    root = CliRunner().invoke(
        cli, ["--db", url, "-q", "people", "add", "fay@example.com", "--name", "Fay"]
    )
    assert root.exit_code == 0, root.stderr
    assert root.stdout == root.stderr == ""
    failed = CliRunner().invoke(cli, [*args[:-3], "eve@example.com", "--name", "Eve", "-q"])
    assert failed.exit_code != 0
    assert failed.stderr.startswith("error: ")  # errors still reach stderr


def test_field_prints_one_value_a_line(url: str) -> None:
    emails = _run(url, ("people", "list"), "--field", "email")
    assert emails.exit_code == 0, emails.stderr
    assert emails.stdout.splitlines() == [
        p["email"] for p in json.loads(_run(url, ("people", "list"), "--json").stdout)
    ]
    one = _run(url, ("accounts", "show"), "--field", "platform")
    assert one.stdout == "x\n"
    holder = _run(url, ("who-has",), "--field", "grants")
    assert json.loads(holder.stdout)[0]["account"] == "brand-ig"


def test_an_unknown_field_is_one_error_line(url: str) -> None:
    result = _run(url, ("people", "list"), "--field", "nope")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == "error: no field 'nope' in this output"
    assert "email" in result.stderr.splitlines()[1]


def test_the_commands_own_options_beat_the_root_groups(url: str) -> None:
    args = ["--db", url, "-o", "csv", "people", "list"]
    as_csv = CliRunner().invoke(cli, args)
    assert as_csv.stdout.splitlines()[0].startswith("email,")
    for own in (["--json"], ["-o", "json"]):
        result = CliRunner().invoke(cli, [*args, *own])
        assert result.exit_code == 0, result.stderr
        assert isinstance(json.loads(result.stdout), list)


def test_a_command_with_its_own_formats_takes_dash_o_as_one_of_them(url: str) -> None:
    def report(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", url, "report", "access", *args])

    assert report("-o", "csv").stdout == report("--format", "csv").stdout
    assert report("-o", "csv").stdout.startswith("severity,kind,")
    as_json, alias = json.loads(report("-o", "json").stdout), json.loads(report("--json").stdout)
    assert as_json.keys() == alias.keys()
    assert as_json["report"] == alias["report"] == "access"
    for args, message in [
        (("-o", "ndjson"), "error: this command has no ndjson form"),
        (("--format", "md", "-o", "csv"), "error: --format md and -o csv disagree"),
        (("--field", "findings"), "error: --field does not apply to this command"),
    ]:
        refused = report(*args)
        assert refused.exit_code == 2, refused.stderr
        assert refused.stdout == ""
        assert refused.stderr.splitlines()[0] == message


def test_dash_o_names_the_report_formats_only_it_renders(url: str, tmp_path: Path) -> None:
    def report(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", url, "report", "access", *args])

    import re

    def undated(text: str) -> str:  # two runs may fall in different seconds
        return re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", "TIME", text)

    assert undated(report("-o", "md").stdout) == undated(report("--format", "md").stdout)
    assert report("-o", "md").stdout.startswith("# Access review")
    page = tmp_path / "report.html"
    written = report("-o", "html", "--out", str(page))
    assert written.exit_code == 0, written.stderr
    assert page.read_text().lstrip().lower().startswith("<!doctype html>")
    refused = report("--format", "md", "-o", "html")
    assert refused.exit_code == 2
    assert refused.stderr.splitlines()[0] == "error: --format md and -o html disagree"
    assert "--format" not in report("--help").stdout  # -o is the one spelling shown


@pytest.mark.parametrize("fmt", ["md", "html", "table"])
def test_every_report_format_writes_timestamps_one_way(url: str, fmt: str) -> None:
    import re

    result = CliRunner().invoke(cli, ["--db", url, "report", "access", "-o", fmt])
    assert result.exit_code == 0, result.stderr
    assert re.search(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", result.stdout), result.stdout
    assert not re.search(r"\d{2}:\d{2} UTC", result.stdout)


def _dummy(param: click.Parameter) -> list[str]:
    """A value each required parameter accepts, to parse a command line without running it."""
    kind = param.type
    if isinstance(kind, click.Choice):
        value = str(kind.choices[0])
    elif isinstance(kind, click.Path):
        value = __file__
    elif isinstance(kind, click.types.IntParamType | click.IntRange):
        value = "1"
    elif isinstance(kind, click.DateTime):
        value = "2026-12-02"
    else:
        value = "x"
    if isinstance(param, click.Option):
        return [param.opts[0], value]
    return [value]


#: Commands whose own ``--field`` names a field of a shared login (`creds reveal --field
#: backup_codes` prints that one value; `creds set --field` replaces it): no output --field.
OWN_FIELD = {("creds", "reveal"), ("creds", "set")}


def test_every_data_printing_command_parses_the_output_options() -> None:
    wanted = ["-o", "csv", "--quiet", "--no-headers", "--color", "never"]
    for path, command in _data_commands().items():
        required = [a for p in command.params if p.required for a in _dummy(p)]
        field = "password" if path in OWN_FIELD else "a"
        ctx = command.make_context(" ".join(path), [*required, *wanted, "--field", field])
        assert ctx.params["output_format"] == "csv", path
        assert ctx.params["quiet"] is True, path
        assert ctx.params["no_headers"] is True, path
        assert ctx.params["color"] == "never", path
        if path in OWN_FIELD:
            assert ctx.params["field"] == "password", path
            assert "output_field" not in ctx.params, path
        else:
            assert ctx.params["output_field"] == "a", path
