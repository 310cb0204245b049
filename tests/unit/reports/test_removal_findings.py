"""Removals not confirmed: revoke-pending grants, unfinished runs, time to removal per leaver."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import Connection

from accessguard.db import tables
from accessguard.reports.access import AccessReport
from accessguard.reports.findings import KINDS, RULES
from accessguard.reports.findings.removals import incomplete_runs, unconfirmed_removals
from accessguard.reports.render import render
from support import rows
from support.findings import context, kinds
from support.rows import NOW

LEFT = date(2026, 10, 30)


def _leaver(conn: Connection, status: str = "departed", **grant: Any) -> int:
    rows.person(conn, "gone@example.com", status=status, end_date=LEFT)
    rows.account(conn, "brand", "facebook")
    return rows.grant(conn, "gone@example.com", "brand", "admin", **grant)


def _pending(**extra: Any) -> dict[str, Any]:
    return {
        "revoke_pending_at": NOW,
        "revoke_pending_reason": "removal on brand failed (connection refused)",
        "revoke_pending_run": "run-1",
        **extra,
    }


def _run(conn: Connection, run_id: str, status: str, *, subject: str = "gone@example.com") -> None:
    conn.execute(
        insert(tables.runs).values(
            id=run_id,
            subject=subject,
            playbook="standard",
            playbook_digest="0" * 64,
            status=status,
            plan={},
            actor="admin@example.com",
            created_at=NOW,
            updated_at=NOW,
        )
    )


def test_new_kinds_are_registered() -> None:
    assert {"removal-unconfirmed", "run-incomplete"} <= set(KINDS)
    assert {unconfirmed_removals, incomplete_runs} <= set(RULES)


def test_departed_with_a_revoke_pending_grant_is_critical(conn: Connection) -> None:
    _leaver(conn, **_pending())
    assert kinds(unconfirmed_removals(context(conn))) == {"removal-unconfirmed": "critical"}


def test_the_finding_names_the_grant_the_reason_and_the_run(conn: Connection) -> None:
    gid = _leaver(conn, **_pending())
    (finding,) = unconfirmed_removals(context(conn))
    assert (finding.subject_type, finding.subject_id) == ("grant", str(gid))
    assert "run-1" in finding.message
    assert "connection refused" in finding.message


def test_leaving_with_a_revoke_pending_grant_is_high(conn: Connection) -> None:
    _leaver(conn, status="leaving", **_pending())
    assert kinds(unconfirmed_removals(context(conn))) == {"removal-unconfirmed": "high"}


def test_a_confirmed_removal_is_no_finding(conn: Connection) -> None:
    _leaver(conn, **_pending(revoked_at=NOW, removal_confirmed_at=NOW))
    assert list(unconfirmed_removals(context(conn))) == []


def test_a_grant_never_pending_is_no_finding(conn: Connection) -> None:
    _leaver(conn)
    assert list(unconfirmed_removals(context(conn))) == []


@pytest.mark.parametrize(
    ("status", "severity"),
    [("partial", "high"), ("failed", "high"), ("interrupted", "high"), ("waiting", "medium")],
)
def test_unfinished_runs_are_findings(conn: Connection, status: str, severity: str) -> None:
    _run(conn, "run-1", status)
    assert kinds(incomplete_runs(context(conn))) == {"run-incomplete": severity}


def test_the_run_finding_says_what_to_do(conn: Connection) -> None:
    _run(conn, "run-1", "partial")
    (finding,) = incomplete_runs(context(conn))
    assert "accessguard runs" in finding.message


def _lock(conn: Connection, run_id: str, holder: str) -> None:
    conn.execute(
        insert(tables.run_locks).values(
            subject="gone@example.com",
            run_id=run_id,
            holder=holder,
            acquired_at=NOW,
            heartbeat_at=NOW,
        )
    )


@pytest.mark.parametrize("status", ["completed", "running"])
def test_completed_and_live_runs_are_no_finding(conn: Connection, status: str) -> None:
    from accessguard.playbooks.lock import holder_name

    _run(conn, "run-1", status)
    _lock(conn, "run-1", holder_name())  # this process: alive
    assert list(incomplete_runs(context(conn))) == []


@pytest.mark.parametrize("holder", [None, "dead"])
def test_a_running_run_nobody_runs_is_an_interrupted_finding(
    conn: Connection, holder: str | None
) -> None:
    """Stored ``running``, but its lock is gone or its process died: shown interrupted."""
    import socket

    _run(conn, "run-1", "running")
    if holder:
        _lock(conn, "run-1", f"{socket.gethostname()}:999999999")  # no such process
    (finding,) = incomplete_runs(context(conn))
    assert "interrupted" in finding.message and "runs resume run-1" in finding.message


def _times(conn: Connection) -> list[dict[str, Any]]:
    ctx = context(conn)
    return list(AccessReport(conn, ctx.settings, now=NOW).removal_times())


def test_time_to_removal_from_end_date_to_confirmation(conn: Connection) -> None:
    confirmed = NOW - timedelta(days=1)  # 2026-11-01 09:00, end date 2026-10-30
    _leaver(conn, revoked_at=NOW, removal_confirmed_at=confirmed)
    (row,) = _times(conn)
    assert row["days_to_removal"] == 2.4


def test_time_to_removal_is_open_while_a_removal_is_pending(conn: Connection) -> None:
    _leaver(conn, **_pending())
    (row,) = _times(conn)
    assert (row["days_to_removal"], row["pending_removals"]) == (None, 1)


def test_one_grant_still_pending_keeps_the_removal_open(conn: Connection) -> None:
    _leaver(conn, revoked_at=NOW, removal_confirmed_at=NOW)
    rows.account(conn, "other", "tiktok")
    rows.grant(conn, "gone@example.com", "other", "editor", **_pending())
    (row,) = _times(conn)
    assert row["removed_at"] is None


@pytest.mark.parametrize(
    ("fmt", "title"),
    [("table", "TIME TO REMOVAL"), ("md", "## Time to removal"), ("html", "Time to removal")],
)
def test_every_rendered_format_has_the_time_to_removal(
    conn: Connection, fmt: str, title: str
) -> None:
    _leaver(conn, revoked_at=NOW, removal_confirmed_at=NOW - timedelta(days=1))
    out = io.StringIO()
    render(AccessReport(conn, context(conn).settings, now=NOW), fmt, out)
    section = out.getvalue().split(title, 1)[-1]
    assert "2.4" in section.split("gone@example.com", 1)[-1]


def test_a_run_not_about_a_person_names_no_person(conn: Connection) -> None:
    _run(conn, "run-1", "waiting", subject="review-campaign-3")
    (finding,) = incomplete_runs(context(conn))
    assert finding.person is None
