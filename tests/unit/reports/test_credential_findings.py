"""Findings about shared logins and 2FA seeds."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.engine import Connection

from accessguard.db import tables
from accessguard.reports.findings.credentials import credential_findings, seed_findings
from support import rows
from support.findings import context, kinds


def test_password_older_than_policy_on_a_critical_account_is_high(conn: Connection) -> None:
    account = rows.account(conn, "brand", "facebook", criticality="critical")
    rows.credential(conn, account, age_days=31)
    assert kinds(credential_findings(context(conn))) == {"rotation-overdue": "high"}


def test_password_older_than_policy_on_a_low_account_is_medium(conn: Connection) -> None:
    account = rows.account(conn, "brand", "facebook", criticality="low")
    rows.credential(conn, account, age_days=366)
    assert kinds(credential_findings(context(conn))) == {"rotation-overdue": "medium"}


def test_password_within_policy_is_no_finding(conn: Connection) -> None:
    account = rows.account(conn, "brand", "facebook", criticality="low")
    rows.credential(conn, account, age_days=364)
    assert list(credential_findings(context(conn))) == []


def test_pending_rotation_is_medium_and_not_overdue(conn: Connection) -> None:
    account = rows.account(conn, "brand", "facebook", criticality="critical")
    rows.credential(conn, account, age_days=400, state="rotation-pending")
    assert kinds(credential_findings(context(conn))) == {"rotation-pending": "medium"}


def test_exported_seed_is_high(conn: Connection) -> None:
    rows.totp_key(conn, rows.account(conn, "brand", "facebook"), exported=True)
    assert kinds(seed_findings(context(conn))) == {"seed-exported": "high"}


def test_seed_on_a_personal_device_is_medium(conn: Connection) -> None:
    rows.totp_key(conn, rows.account(conn, "brand", "facebook"), personal_device=True)
    assert kinds(seed_findings(context(conn))) == {"seed-personal-device": "medium"}


def test_retired_seed_is_no_finding(conn: Connection) -> None:
    key = rows.totp_key(conn, rows.account(conn, "brand", "facebook"), exported=True)
    conn.execute(
        update(tables.totp_keys).where(tables.totp_keys.c.id == key).values(retired_at=rows.NOW)
    )
    assert list(seed_findings(context(conn))) == []
