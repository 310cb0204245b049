"""The actor is one name however it is typed: stripped and lower-cased, like emails.

``--actor``, ``ACCESSGUARD_ACTOR`` and the config file's ``actor`` all go through the
same rule, so ``Alice@Example.com`` and ``alice@example.com`` are one actor in the audit
trail, in runs and in review campaigns. An empty or invisible actor is refused with
one ``error:`` line, and nothing is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from accessguard.cli.main import cli
from accessguard.config import default_config_path
from support.inventory import counts, seed

ALICE = "alice@example.com"


@pytest.fixture
def url(database_url: str, tmp_path: Path) -> str:
    seed(database_url, tmp_path)  # as tester@example.com (the tests' ACCESSGUARD_ACTOR)
    return database_url


def _run(url: str, *args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--db", url, *args], env=env, catch_exceptions=False)


def _actors(url: str) -> list[str]:
    """The actor of every audit event after the seed's, oldest first (``audit log -o json``)."""
    result = _run(url, "audit", "log", "--limit", "1000", "-o", "json")
    assert result.exit_code == 0, result.stderr
    return [e["actor"] for e in json.loads(result.stdout) if e["actor"] != "tester@example.com"]


def test_one_actor_whatever_the_case_or_spaces(url: str) -> None:
    add = ["people", "add", "dee@example.com", "--name", "Dee"]
    assert _run(url, "--actor", "Alice@Example.com", *add).exit_code == 0
    env: dict[str, str | None] = {"ACCESSGUARD_ACTOR": "  ALICE@example.COM  "}
    update = ["people", "update", "dee@example.com", "--name", "Dee D", "--reason", "typo"]
    assert _run(url, *update, env=env).exit_code == 0
    config = default_config_path()
    config.write_text('actor = " aLiCe@example.com"\n' + config.read_text(), encoding="utf-8")
    add_account = ["accounts", "add", "brand-y", "--platform", "x", "--handle", "y"]
    assert _run(url, *add_account, env={"ACCESSGUARD_ACTOR": None}).exit_code == 0
    assert _actors(url) == [ALICE, ALICE, ALICE]


def test_runs_and_reviews_record_the_same_actor(url: str) -> None:
    revoke = ["revoke", "bob@example.com", "brand-x", "--reason", "left the team", "--force"]
    assert _run(url, "--actor", "Alice@Example.com", *revoke).exit_code == 0
    start = ["review", "start", "--scope", "all", "--reviewer", "ann@example.com"]
    result = _run(url, "--actor", "ALICE@EXAMPLE.COM", *start, "--due", "2099-01-01", "--json")
    assert result.exit_code == 0, result.stderr
    campaign = json.loads(result.stdout)["campaign"]
    pending = json.loads(_run(url, "review", "pending", "-o", "json").stdout)
    [item] = [i["item"] for i in pending if i["person"] == "cy@agency.example"]
    decide = ["review", "decide", str(item), "keep", "--reason", "agency contract runs"]
    assert _run(url, "--actor", "Ann@Example.COM", *decide).exit_code == 0  # the reviewer
    runs = json.loads(_run(url, "runs", "list", "-o", "json").stdout)
    assert [r["actor"] for r in runs] == [ALICE]
    review = json.loads(_run(url, "review", "report", str(campaign), "-o", "json").stdout)
    assert [i["decided_by"] for i in review["items"] if i["decided_by"]] == ["ann@example.com"]
    assert set(_actors(url)) == {ALICE, "ann@example.com"}


@pytest.mark.parametrize(
    ("given", "problem"),
    [("", "is empty"), ("   ", "is empty"), ("ali\x1bce", "control"), ("ali\u200bce", "control")],
    ids=["empty", "spaces", "escape", "zero-width"],
)
@pytest.mark.parametrize("where", ["--actor", "ACCESSGUARD_ACTOR", "config"])
def test_an_empty_or_invisible_actor_is_refused(
    url: str, given: str, problem: str, where: str
) -> None:
    before = counts(url)
    args = ["people", "add", "eve@example.com", "--name", "Eve"]
    env: dict[str, str | None] = {}
    if where == "--actor":
        args = ["--actor", given, *args]
    elif where == "ACCESSGUARD_ACTOR":
        env = {"ACCESSGUARD_ACTOR": given}
    else:
        config = default_config_path()
        config.write_text(f"actor = {json.dumps(given)}\n" + config.read_text(), "utf-8")
    result = _run(url, *args, env=env)
    assert result.exit_code == (2 if where == "--actor" else 1)
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ") and problem in lines[0], result.stderr
    assert [line for line in lines[1:] if not line.startswith("hint: ")] == []
    assert "\x1b" not in result.stderr
    assert result.stdout == ""
    assert counts(url) == before
