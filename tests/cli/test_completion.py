"""Shell completion: the script, and the inventory's names completed as click's scripts ask.

click's completion runs the program with ``_ACCESSGUARD_COMPLETE`` set and the words
typed so far in ``COMP_WORDS``/``COMP_CWORD``; the tests ask the same way (in-process,
and once through a real bash with the script ``accessguard completion bash`` prints) and
check the names that come back. Completion only reads, and never prints an error.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from accessguard.cli.main import cli
from support.small_run import build_inventory, offboard_ann


@pytest.fixture
def inventory(sqlite_url: str, tmp_path: Path) -> tuple[str, str]:
    """Two people, three accounts, and one finished run of Ann; returns (url, run id)."""
    build_inventory(sqlite_url)
    run_id, _ = offboard_ann(sqlite_url, tmp_path)
    return sqlite_url, run_id


def complete(words: str, *, url: str | None = None, shell: str = "bash") -> list[str]:
    """What click's completion answers for ``words`` (the last one being completed)."""
    typed = f"accessguard --db {url} {words}" if url else f"accessguard {words}"
    env = {
        "_ACCESSGUARD_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": typed,
        "COMP_CWORD": str(len(typed.split()) - (0 if typed.endswith(" ") else 1)),
    }
    result = CliRunner().invoke(cli, [], env=env, prog_name="accessguard")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    if shell == "zsh":  # type, value, help: three lines a name
        return result.stdout.splitlines()[1::3]
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if line]


def test_account_names_complete(inventory: tuple[str, str]) -> None:
    url, _ = inventory
    assert complete("who-has nw", url=url) == ["nw-instagram", "nw-x"]


def test_account_names_complete_ignoring_case(inventory: tuple[str, str]) -> None:
    url, _ = inventory
    assert complete("creds reveal ACME", url=url) == ["acme-tiktok"]


def test_every_account_when_nothing_is_typed(inventory: tuple[str, str]) -> None:
    url, _ = inventory
    assert complete("totp code ", url=url) == ["acme-tiktok", "nw-instagram", "nw-x"]


def test_people_complete_by_email(inventory: tuple[str, str]) -> None:
    url, _ = inventory
    assert complete("holdings b", url=url) == ["bob@example.com"]


def test_a_grant_completes_person_then_account(inventory: tuple[str, str]) -> None:
    url, _ = inventory
    assert complete("grant bob@example.com nw-i", url=url) == ["nw-instagram"]


def test_an_option_naming_a_person_completes(inventory: tuple[str, str]) -> None:
    url, _ = inventory
    assert complete("offboard bob@example.com --successor a", url=url) == ["ann@example.com"]


def test_run_ids_complete(inventory: tuple[str, str]) -> None:
    url, run_id = inventory
    assert complete("runs show run-", url=url) == [run_id]


def test_step_ids_of_the_named_run_complete(inventory: tuple[str, str]) -> None:
    url, run_id = inventory
    assert complete(f"runs confirm {run_id} ", url=url) == [
        "mark-leaving",
        "end-grants",
        "mark-departed",
    ]


def test_playbook_names_complete() -> None:
    assert complete("offboard ann@example.com --playbook ") == [
        "contractor",
        "immediate",
        "standard",
    ]


def test_playbooks_show_completes_names() -> None:
    assert complete("playbooks show st") == ["standard"]


def test_commands_still_complete() -> None:
    assert complete("peo") == ["people"]


def test_zsh_gets_the_same_names(inventory: tuple[str, str]) -> None:
    url, _ = inventory
    assert "nw-x" in complete("who-has nw", url=url, shell="zsh")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_completion_changes_nothing_in_the_database(inventory: tuple[str, str]) -> None:
    url, _ = inventory
    path = Path(url.removeprefix("sqlite:///"))
    before = _digest(path)
    complete("who-has ", url=url)
    complete("holdings ", url=url)
    assert _digest(path) == before


def test_completion_on_a_missing_database_offers_nothing_and_creates_nothing(
    tmp_path: Path,
) -> None:
    db = tmp_path / "missing" / "none.db"
    assert complete("who-has ", url=f"sqlite:///{db}") == []
    assert list(tmp_path.iterdir()) == []


def test_completion_on_a_file_that_is_no_database_offers_nothing(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("not a database\n" * 50)
    assert complete("who-has ", url=f"sqlite:///{bogus}") == []


def test_completion_with_a_broken_config_offers_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[database\nurl = ")
    monkeypatch.setenv("ACCESSGUARD_CONFIG", str(config))
    assert complete("who-has ") == []


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "_ACCESSGUARD_COMPLETE=bash_complete"),
        ("zsh", "#compdef accessguard"),
        ("fish", "_ACCESSGUARD_COMPLETE=fish_complete"),
    ],
)
def test_completion_prints_the_shell_script(shell: str, marker: str) -> None:
    result = CliRunner().invoke(cli, ["completion", shell], catch_exceptions=False)
    assert result.exit_code == 0
    assert marker in result.stdout


def test_an_unknown_shell_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["completion", "tcsh"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith("error: invalid value for ")
    assert "'tcsh' is not one of 'bash', 'zsh', 'fish'" in result.stderr


def test_a_real_bash_completes_account_names(inventory: tuple[str, str]) -> None:
    """The printed script, loaded by bash, asks the installed command and fills COMPREPLY."""
    url, _ = inventory
    bindir = Path(sys.executable).parent
    script = (
        'eval "$(accessguard completion bash)"\n'
        "COMP_WORDS=(accessguard who-has nw); COMP_CWORD=2\n"
        "_accessguard_completion accessguard\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}", "ACCESSGUARD_DATABASE_URL": url}
    proc = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, timeout=60, check=True
    )
    assert proc.stdout.split() == ["nw-instagram", "nw-x"]


def test_an_email_argument_completes_people(inventory: tuple[str, str]) -> None:
    url, _ = inventory
    assert complete("people show a", url=url) == ["ann@example.com"]


def test_adding_a_person_offers_no_existing_email(inventory: tuple[str, str]) -> None:
    url, _ = inventory
    assert complete("people add a", url=url) == []
