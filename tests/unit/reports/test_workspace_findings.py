"""Workspace findings from the recorded scan: 2SV, recovery channels, how many super admins."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from accessguard.connectors.google_workspace import SuperAdmin
from accessguard.reports.findings.workspace import workspace_findings
from accessguard.reports.lockout import record_scan
from support import rows
from support.findings import context
from support.rows import NOW


def _scan(conn: Connection, *admins: SuperAdmin) -> None:
    account = rows.account(conn, "corp-ws", "google-workspace")
    record_scan(conn, account, admins=admins, now=NOW)


def _admin(email: str, *, sv: bool = True, mail: str | None = None, phone: str | None = None):
    return SuperAdmin(email, sv, mail, phone)


def _found(conn: Connection) -> set[tuple[str, str, str]]:
    return {(f.kind, f.subject_id, f.severity.label) for f in workspace_findings(context(conn))}


def test_no_scan_is_no_finding(conn: Connection) -> None:
    rows.account(conn, "corp-ws", "google-workspace")
    assert _found(conn) == set()


def test_two_enrolled_admins_with_company_recovery_is_no_finding(conn: Connection) -> None:
    _scan(conn, _admin("ann@example.com", mail="it@example.com"), _admin("bob@example.com"))
    assert _found(conn) == set()


def test_a_single_super_admin_is_high(conn: Connection) -> None:
    _scan(conn, _admin("ann@example.com"))
    assert _found(conn) == {("workspace-few-super-admins", "corp-ws", "high")}


def test_no_super_admin_at_all_is_high(conn: Connection) -> None:
    _scan(conn)
    assert _found(conn) == {("workspace-few-super-admins", "corp-ws", "high")}


def test_super_admin_without_2sv_is_high(conn: Connection) -> None:
    _scan(conn, _admin("ann@example.com", sv=False), _admin("bob@example.com"))
    assert _found(conn) == {("workspace-admin-no-2sv", "corp-ws/ann@example.com", "high")}


def test_super_admin_recovery_phone_of_a_leaver_is_high(conn: Connection) -> None:
    rows.person(conn, "dan@example.com", status="leaving", personal_phone="+33 6 12 34 56 78")
    _scan(conn, _admin("ann@example.com", phone="+33612345678"), _admin("bob@example.com"))
    assert _found(conn) == {("recovery-leaver", "corp-ws/ann@example.com", "high")}


def test_super_admin_recovery_email_nobody_holds_is_unknown(conn: Connection) -> None:
    _scan(conn, _admin("ann@example.com", mail="someone@mail.test"), _admin("bob@example.com"))
    assert _found(conn) == {("recovery-unknown", "corp-ws/ann@example.com", "medium")}


def test_a_new_scan_replaces_the_last(conn: Connection) -> None:
    account = rows.account(conn, "corp-ws", "google-workspace")
    record_scan(conn, account, admins=[_admin("ann@example.com", sv=False)], now=NOW)
    record_scan(
        conn, account, admins=[_admin("ann@example.com"), _admin("bob@example.com")], now=NOW
    )
    assert _found(conn) == set()
