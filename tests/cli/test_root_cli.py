"""The root command as a new user meets it: one error style, typo hints, --version, init.

click's own usage errors (unknown command or option, a missing argument) print the
product's ``error:`` line and a ``hint:``, exit 2, and never click's ``Error:``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from accessguard import __version__
from accessguard.cli.main import COMMANDS, _load, _module_exists, cli
from accessguard.config import load_settings


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.mark.parametrize(
    ("args", "error", "hint"),
    [
        (["peple"], "error: no such command 'peple'", 'hint: did you mean "people"?'),
        (["people", "lst"], "error: no such command 'lst'", 'hint: did you mean "list"?'),
        (["runs", "resme"], "error: no such command 'resme'", 'hint: did you mean "resume"?'),
        (["audit", "verfy"], "error: no such command 'verfy'", 'hint: did you mean "verify"?'),
        (["who-has", "x", "--jsn"], "error: no such option: --jsn", 'hint: did you mean "--json"?'),
    ],
    ids=["root", "people", "runs", "audit", "option"],
)
def test_a_typo_gets_one_error_line_and_the_nearest_name(
    args: list[str], error: str, hint: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == error
    assert lines[1].startswith(hint)
    assert len(lines) == 2


@pytest.mark.parametrize(
    ("args", "error", "hint"),
    [
        (
            ["people", "add", "a@example.com"],
            "error: missing option '--name'",
            "hint: see `accessguard people add --help`",
        ),
        (
            ["who-has"],
            "error: missing argument 'ACCOUNT'",
            "hint: see `accessguard who-has --help`",
        ),
        (
            ["people", "leave", "a@example.com", "--on", "soon"],
            "error: invalid value for '--on': 'soon' does not match the format 'YYYY-MM-DD'",
            "hint: see `accessguard people leave --help`",
        ),
        (
            ["--zzz-root-option"],
            "error: no such option: --zzz-root-option",
            "hint: see `accessguard --help`",
        ),
    ],
    ids=["missing-option", "missing-argument", "bad-date", "root-option"],
)
def test_click_usage_errors_speak_like_the_product(args: list[str], error: str, hint: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [error, hint]
    assert result.stdout == ""


def test_a_word_far_from_every_command_gets_no_guess() -> None:
    result = run("zzzzqqq")
    assert result.stderr.splitlines() == [
        "error: no such command 'zzzzqqq'",
        "hint: see `accessguard --help`",
    ]


def test_a_group_without_a_subcommand_still_shows_its_help() -> None:
    result = run("people")
    assert result.output.startswith("Usage: accessguard people [OPTIONS] COMMAND")
    assert "error:" not in result.output


def test_a_typo_builds_nothing(tmp_path: Path) -> None:
    """The unknown name is refused before the root command opens anything."""
    db = tmp_path / "never.db"
    result = run("--db", f"sqlite:///{db}", "peple", "list")
    assert result.exit_code == 2
    assert not db.exists()


def test_version_prints_the_version_only() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"accessguard {__version__}\n"


@pytest.mark.parametrize(
    "args", [["-v", "--version"], ["--version", "-v"]], ids=["before", "after"]
)
def test_verbose_version_names_the_libraries_and_python(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == ["accessguard", "hvac", "SQLAlchemy", "alembic", "click", "requests", "Python"]


def test_verbose_version_shows_the_installed_versions() -> None:
    from importlib.metadata import version

    lines = run("-v", "--version").stdout.splitlines()
    assert f"SQLAlchemy {version('SQLAlchemy')}" in lines


READ_COMMANDS = [
    ["people", "list"],
    ["who-has", "nw-x"],
    ["holdings", "ann@example.com"],
    ["accounts", "list"],
    ["report", "access"],
    ["runs", "list"],
    ["audit", "log"],
    ["db", "current"],
]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=" ".join)
def test_a_read_command_on_a_missing_database_creates_nothing(
    tmp_path: Path, args: list[str]
) -> None:
    db = tmp_path / "sub" / "inventory.db"
    result = run("--db", f"sqlite:///{db}", *args)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: the database sqlite:///{db} does not exist",
        "hint: create it with `accessguard init` (or check --db / [database].url)",
    ]
    assert list(tmp_path.iterdir()) == []


def test_a_write_command_on_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "inventory.db"
    result = run("--db", f"sqlite:///{db}", "people", "add", "a@example.com", "--name", "A")
    assert result.exit_code == 1
    assert not db.exists()


def test_init_creates_the_database_0600_then_reads_work(tmp_path: Path) -> None:
    db = tmp_path / "data" / "inventory.db"
    assert run("--db", f"sqlite:///{db}", "init").exit_code == 0
    assert db.stat().st_mode & 0o777 == 0o600
    listed = run("--db", f"sqlite:///{db}", "people", "list", "--json")
    assert (listed.exit_code, listed.stdout.strip()) == (0, "[]")


def test_init_writes_no_example_company_as_a_live_setting(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    assert run("--config", str(config), "init").exit_code == 0
    parsed = tomllib.loads(config.read_text(encoding="utf-8"))
    assert parsed.get("company", {}) == {}


def test_init_leaves_the_company_empty_in_the_settings(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    run("--config", str(config), "init")
    company = load_settings(config, environ={}).company
    assert (company.domains, company.phone_prefixes) == ([], [])


def test_init_shows_the_company_examples_commented_out(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    run("--config", str(config), "init")
    lines = config.read_text(encoding="utf-8").splitlines()
    assert '# domains = ["example.com"]' in lines


@pytest.mark.parametrize(
    ("args", "metavar"),
    [(["people", "leave"], "--on YYYY-MM-DD"), (["review", "start"], "--due YYYY-MM-DD")],
)
def test_dates_read_yyyy_mm_dd_in_help(args: list[str], metavar: str) -> None:
    result = run(*args, "--help")
    assert metavar in result.stdout
    assert "%Y" not in result.stdout


def test_no_help_shows_a_strftime_format() -> None:
    for path in _every_command():
        text = run(*path, "--help").stdout
        assert "%Y" not in text, path


def _every_command() -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []

    def walk(command: click.Command, path: tuple[str, ...]) -> None:
        paths.append(path)
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, (*path, name))

    for name in COMMANDS:
        if _module_exists(name) and (command := _load(name)) is not None:
            walk(command, (name,))
    return paths
