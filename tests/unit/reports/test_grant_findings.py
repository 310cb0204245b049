"""Findings about people and grants: leavers, expiry, external admins (stale: test_stale_grants)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Connection

from accessguard.db import tables
from accessguard.reports.findings.grants import (
    expired_grants,
    external_admins,
    leavers_holding_access,
)
from support import rows
from support.findings import context, kinds
from support.rows import NOW


def _holder(conn: Connection, email: str, role: str = "editor", **person: object) -> int:
    rows.person(conn, email, **person)
    if not _account_exists(conn):
        rows.account(conn, "brand", "facebook")
    return rows.grant(conn, email, "brand", role)


def _account_exists(conn: Connection) -> bool:
    return conn.execute(tables.accounts.select()).first() is not None


def test_departed_with_access_is_critical(conn: Connection) -> None:
    _holder(conn, "gone@example.com", status="departed")
    assert kinds(leavers_holding_access(context(conn))) == {"departed-holds-access": "critical"}


def test_leaving_before_the_end_date_is_medium(conn: Connection) -> None:
    _holder(conn, "leaver@example.com", status="leaving", end_date=NOW.date() + timedelta(days=5))
    assert kinds(leavers_holding_access(context(conn))) == {"leaving-holds-access": "medium"}


def test_leaving_past_the_end_date_is_high(conn: Connection) -> None:
    _holder(conn, "leaver@example.com", status="leaving", end_date=NOW.date() - timedelta(days=1))
    assert kinds(leavers_holding_access(context(conn))) == {"leaving-holds-access": "high"}


def test_leaver_message_counts_admin_roles(conn: Connection) -> None:
    _holder(conn, "gone@example.com", role="admin", status="departed")
    [finding] = leavers_holding_access(context(conn))
    assert "1 grant(s), 1 admin" in finding.message


def test_leaver_without_active_grants_is_no_finding(conn: Connection) -> None:
    grant = _holder(conn, "gone@example.com", status="departed")
    conn.execute(tables.grants.update().where(tables.grants.c.id == grant).values(revoked_at=NOW))
    assert list(leavers_holding_access(context(conn))) == []


def test_expired_grant_still_active_is_high(conn: Connection) -> None:
    grant = _holder(conn, "temp@example.com")
    conn.execute(
        tables.grants.update()
        .where(tables.grants.c.id == grant)
        .values(expires_at=NOW - timedelta(days=3))
    )
    [finding] = expired_grants(context(conn))
    assert (finding.kind, finding.subject_id) == ("expired-grant", str(grant))


def test_grant_expiring_later_is_no_finding(conn: Connection) -> None:
    grant = _holder(conn, "temp@example.com")
    conn.execute(
        tables.grants.update()
        .where(tables.grants.c.id == grant)
        .values(expires_at=NOW + timedelta(days=3))
    )
    assert list(expired_grants(context(conn))) == []


def test_agency_admin_is_medium(conn: Connection) -> None:
    _holder(conn, "agency@partner.test", role="admin", kind="agency")
    assert kinds(external_admins(context(conn))) == {"external-admin": "medium"}


def test_contractor_admin_on_a_critical_account_is_high(conn: Connection) -> None:
    rows.person(conn, "c@partner.test", kind="contractor")
    rows.account(conn, "vault", "facebook", criticality="critical")
    rows.grant(conn, "c@partner.test", "vault", "owner")
    assert kinds(external_admins(context(conn))) == {"external-admin": "high"}


def test_employee_admin_is_not_external(conn: Connection) -> None:
    _holder(conn, "ann@example.com", role="admin")
    assert list(external_admins(context(conn))) == []
