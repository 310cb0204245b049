"""Drift findings come from each account's latest successful reconcile check."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from accessguard.reports.findings.drift import drift_findings
from support import rows
from support.findings import context, kinds


def test_unmanaged_holder_is_high(conn: Connection) -> None:
    check = rows.reconcile_check(conn, rows.account(conn, "brand", "facebook"))
    rows.drift(conn, check, "unmanaged", email="stranger@gmail.com")
    assert kinds(drift_findings(context(conn))) == {"drift-unmanaged": "high"}


def test_missing_grant_is_low_on_the_grant(conn: Connection) -> None:
    check = rows.reconcile_check(conn, rows.account(conn, "brand", "facebook"))
    rows.drift(conn, check, "missing", email="ann@example.com", grant_id=7)
    [finding] = drift_findings(context(conn))
    assert (finding.kind, finding.subject_type, finding.subject_id) == (
        "drift-missing",
        "grant",
        "7",
    )


def test_a_later_clean_check_clears_the_drift(conn: Connection) -> None:
    account = rows.account(conn, "brand", "facebook")
    rows.drift(conn, rows.reconcile_check(conn, account), "unmanaged", email="x@gmail.com")
    rows.reconcile_check(conn, account, run_id="rec-2")
    assert list(drift_findings(context(conn))) == []


def test_a_later_failed_check_keeps_the_drift(conn: Connection) -> None:
    account = rows.account(conn, "brand", "facebook")
    rows.drift(conn, rows.reconcile_check(conn, account), "unmanaged", email="x@gmail.com")
    rows.reconcile_check(conn, account, run_id="rec-2", status="error")
    assert kinds(drift_findings(context(conn))) == {"drift-unmanaged": "high"}
