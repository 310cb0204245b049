"""The README's "First 10 minutes" block runs as written, on the files in ``examples/``.

Each ``accessguard`` line is run in-process with the block's exports, in a throw-away
home; the tour's example files parse as the commands that read them expect.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from accessguard.cli.main import cli
from accessguard.credentials.store import parse_login
from accessguard.credentials.totp import parse_seed

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block(heading: str) -> list[str]:
    section = README.split(f"\n## {heading}\n", 1)[1]
    code = re.search(r"```sh\n(.*?)```", section, re.S)
    assert code is not None, heading
    return code.group(1).splitlines()


def _run_block(lines: list[str], tmp_path: Path, env: dict[str, str]) -> list[list[str]]:
    """Run each ``accessguard`` line (each must exit 0), keeping the block's exports in ``env``."""
    ran = []
    for line in lines:
        words = shlex.split(line.replace("$PWD", str(tmp_path)), comments=True)
        if words[:1] == ["export"] and "=" in words[1] and not words[1].startswith("PATH="):
            name, _, value = words[1].partition("=")
            env[name] = value
        elif words[:1] == ["accessguard"]:
            result = CliRunner().invoke(cli, words[1:], env=env, catch_exceptions=False)
            assert result.exit_code == 0, (line, result.output)
            ran.append(words[1:])
    return ran


def test_the_first_ten_minutes_run_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("ACCESSGUARD_HOME")
    ran = _run_block(_block("First 10 minutes"), tmp_path, {})
    assert len(ran) >= 10
    assert (tmp_path / ".try" / "config.toml").exists()


def test_the_everyday_changes_run_as_written_after_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`people update`/`cancel-leave`, `accounts update`/`archive`/`unarchive` on the example company."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("ACCESSGUARD_HOME")
    env: dict[str, str] = {}
    _run_block(_block("First 10 minutes"), tmp_path, env)
    ran = _run_block(_block("Everyday changes"), tmp_path, env)
    shown = {tuple(words[:2]) for words in ran}
    assert {
        ("people", "update"),
        ("people", "cancel-leave"),
        ("accounts", "update"),
        ("accounts", "archive"),
        ("accounts", "unarchive"),
    } <= shown
    person = CliRunner().invoke(
        cli, ["people", "show", "ben.carter@example.com", "-o", "json"], env=env
    )
    assert json.loads(person.stdout)["department"] == "Marketing"
    sofia = CliRunner().invoke(
        cli, ["people", "show", "sofia.alvarez@example.com", "-o", "json"], env=env
    )
    assert json.loads(sofia.stdout)["status"] == "active"
    account = CliRunner().invoke(cli, ["accounts", "show", "nw-bluesky", "-o", "json"], env=env)
    assert json.loads(account.stdout)["archived_at"] is None


def test_the_first_ten_minutes_record_the_actor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The exported ACCESSGUARD_ACTOR is who the trail names."""
    monkeypatch.chdir(ROOT)
    env = {"ACCESSGUARD_HOME": str(tmp_path), "ACCESSGUARD_ACTOR": "you@example.com"}
    for args in (["init"], ["people", "import", "examples/people.csv"]):
        assert CliRunner().invoke(cli, args, env=env).exit_code == 0
    log = CliRunner().invoke(cli, ["audit", "log", "--limit", "1", "--json"], env=env)
    assert '"actor": "you@example.com"' in log.stdout


def test_every_example_file_the_readme_names_exists() -> None:
    named = set(re.findall(r"examples/[\w.-]+\.(?:csv|json|txt)", README))
    assert {"examples/login.json", "examples/otpauth.txt", "examples/people.csv"} <= named
    for path in named:
        assert (ROOT / path).is_file(), path


def test_the_example_login_is_what_creds_set_reads() -> None:
    values = parse_login((ROOT / "examples" / "login.json").read_text(encoding="utf-8"))
    assert sorted(values.values) == ["password", "username"]


def test_the_example_login_says_it_is_fake() -> None:
    text = (ROOT / "examples" / "login.json").read_text(encoding="utf-8")
    assert "EXAMPLE-ONLY" in text


def test_the_example_seed_is_what_totp_enroll_reads() -> None:
    seed, url = parse_seed((ROOT / "examples" / "otpauth.txt").read_text(encoding="utf-8"))
    assert (seed, url is not None) == (None, True)


def test_the_example_seed_is_the_rfc_6238_test_seed() -> None:
    """Not a secret anyone uses: base32 of "12345678901234567890"."""
    text = (ROOT / "examples" / "otpauth.txt").read_text(encoding="utf-8")
    assert "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&" in text
