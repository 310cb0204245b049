"""A Google Workspace super admin who is leaving or departed (matched by work email)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from accessguard.connectors.google_workspace import SuperAdmin
from accessguard.reports.findings import KINDS
from accessguard.reports.findings.workspace import workspace_findings
from accessguard.reports.lockout import record_scan
from support import rows
from support.findings import context
from support.rows import NOW


def _scan(conn: Connection, *emails: str) -> None:
    account = rows.account(conn, "corp-ws", "google-workspace")
    admins = [SuperAdmin(e, True, None, None) for e in emails]
    record_scan(conn, account, admins=admins, now=NOW)


def _found(conn: Connection) -> set[tuple[str, str, str]]:
    return {(f.kind, f.subject_id, f.severity.label) for f in workspace_findings(context(conn))}


def test_a_departed_super_admin_is_critical(conn: Connection) -> None:
    rows.person(conn, "ann@example.com", status="departed")
    _scan(conn, "ann@example.com", "bob@example.com")
    assert _found(conn) == {("workspace-admin-leaver", "corp-ws/ann@example.com", "critical")}


def test_a_leaving_super_admin_is_high(conn: Connection) -> None:
    rows.person(conn, "ann@example.com", status="leaving")
    _scan(conn, "ann@example.com", "bob@example.com")
    assert _found(conn) == {("workspace-admin-leaver", "corp-ws/ann@example.com", "high")}


def test_an_active_super_admin_is_no_finding(conn: Connection) -> None:
    rows.person(conn, "ann@example.com", status="active")
    _scan(conn, "ann@example.com", "bob@example.com")
    assert _found(conn) == set()


def test_the_work_email_matches_case_insensitively(conn: Connection) -> None:
    rows.person(conn, "Ann@Example.com", status="departed")
    _scan(conn, "ann@example.com", "bob@example.com")
    assert _found(conn) == {("workspace-admin-leaver", "corp-ws/ann@example.com", "critical")}


def test_a_leaver_whose_personal_email_is_an_admin_address_is_not_that_admin(
    conn: Connection,
) -> None:
    """Only a work email names the admin: a personal email equal to it is someone else's."""
    rows.person(conn, "dan@example.com", status="departed", personal_email="ann@example.com")
    _scan(conn, "ann@example.com", "bob@example.com")
    assert _found(conn) == set()


def test_the_kind_is_listed() -> None:
    assert KINDS["workspace-admin-leaver"][0] == "high"
