"""An archived account is out of service: named, it is refused; in a sweep, it is skipped.

`reconcile --account ARCHIVED` and `review start --scope account ARCHIVED` refuse with
one line naming the archived state and the `accounts unarchive` hint, and store no
reconcile run or campaign; `reconcile` of everything checks only accounts in service;
an offboarding plans nothing (no handover) for an archived account the leaver owned,
and the access report judges only accounts in service.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import text

from accessguard.db.engine import make_engine
from support.inventory import counts, invoke, seed

ARCHIVED = "old-x"
OWNER = "bob@example.com"


@pytest.fixture
def url(database_url: str, tmp_path: Path) -> str:
    """The seed inventory plus ``old-x``, owned by bob, archived."""
    seed(database_url, tmp_path)
    add = ["accounts", "add", ARCHIVED, "--platform", "x", "--handle", "oldx", "--owner", OWNER]
    assert invoke(database_url, *add).exit_code == 0
    archived = invoke(database_url, "accounts", "archive", ARCHIVED, "--reason", "retired")
    assert archived.exit_code == 0, archived.stderr
    return database_url


def _rows(url: str, table: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def _refused(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert (
        lines[1] == f"hint: put it back in service first: accessguard accounts unarchive {ARCHIVED}"
    )
    return lines[0]


@pytest.mark.parametrize("ref", [ARCHIVED, "OLD-X", "x:oldx"])
def test_reconcile_of_an_archived_account_is_refused(url: str, ref: str) -> None:
    before = counts(url)
    line = _refused(invoke(url, "reconcile", "--account", ref))
    assert line.startswith(f"error: {ARCHIVED} is archived (since ")
    assert _rows(url, "reconcile_runs") == 0
    assert counts(url) == before


def test_reconcile_of_everything_skips_archived_accounts(url: str) -> None:
    result = invoke(url, "reconcile", "-o", "json")
    assert result.exit_code in (0, 4), result.stderr
    checked = [a["account"] for a in json.loads(result.stdout)["accounts"]]
    assert sorted(checked) == ["brand-ig", "brand-x"]
    assert _rows(url, "reconcile_checks") == 2


def test_review_of_an_archived_account_is_refused(url: str) -> None:
    before = counts(url)
    start = ["review", "start", "--scope", "account", ARCHIVED, "--reviewer", "ann@example.com"]
    line = _refused(invoke(url, *start, "--due", "2099-01-01"))
    assert line.startswith(f"error: {ARCHIVED} is archived (since ")
    assert _rows(url, "review_campaigns") == 0
    assert counts(url) == before


def test_an_archived_account_needs_no_heir(url: str) -> None:
    """Its owner leaving is not refused for want of a successor, and nothing is planned for it."""
    result = invoke(url, "offboard", OWNER, "--dry-run", "-o", "json")
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)["plan"]
    assert ARCHIVED not in json.dumps(plan)


def test_the_access_report_does_not_judge_an_archived_account(url: str) -> None:
    """Archiving needs every grant ended: without this it would be reported with no admin."""
    result = invoke(url, "report", "access", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [f["id"] for f in data["findings"] if f.get("account") == ARCHIVED] == []
    assert ARCHIVED not in [a["name"] for a in data["accounts"]]
