"""Findings about accounts: admins, owners, 2FA custody (recovery: test_recovery_findings)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from accessguard.reports.findings.accounts import account_facts, account_findings
from support import rows
from support.findings import context, kinds


def _brand(conn: Connection, *, custody: bool = True, **values: object) -> int:
    account = rows.account(conn, "brand", "facebook", **values)
    if custody:
        rows.totp_key(conn, account)
    return account


def _admins(conn: Connection, *emails: str, status: str = "active") -> None:
    for email in emails:
        rows.person(conn, email, status=status)
        rows.grant(conn, email, "brand", "admin")


def test_account_without_admin_is_high(conn: Connection) -> None:
    _brand(conn)
    assert kinds(account_findings(context(conn))) == {"no-admin": "high"}


def test_account_with_one_admin_is_medium(conn: Connection) -> None:
    _brand(conn)
    _admins(conn, "ann@example.com")
    assert kinds(account_findings(context(conn))) == {"single-admin": "medium"}


def test_two_admins_is_no_finding(conn: Connection) -> None:
    _brand(conn)
    _admins(conn, "ann@example.com", "bob@example.com")
    assert list(account_findings(context(conn))) == []


def test_admins_who_departed_do_not_count(conn: Connection) -> None:
    _brand(conn)
    _admins(conn, "ann@example.com", "bob@example.com", status="departed")
    assert account_facts(context(conn))[0].active_admins == 0


def test_owner_leaving_is_medium(conn: Connection) -> None:
    owner = rows.person(conn, "leaver@example.com", status="leaving")
    _brand(conn, owner_id=owner)
    _admins(conn, "ann@example.com", "bob@example.com")
    assert kinds(account_findings(context(conn))) == {"owner-not-active": "medium"}


def test_no_seed_in_custody_is_medium(conn: Connection) -> None:
    _brand(conn, custody=False)
    _admins(conn, "ann@example.com", "bob@example.com")
    assert kinds(account_findings(context(conn))) == {"no-2fa-custody": "medium"}


def test_no_seed_on_a_shared_login_is_high(conn: Connection) -> None:
    account = _brand(conn, custody=False)
    _admins(conn, "ann@example.com", "bob@example.com")
    rows.credential(conn, account, age_days=1)
    assert kinds(account_findings(context(conn))) == {"no-2fa-custody": "high"}


def test_facts_count_people_and_shared_logins(conn: Connection) -> None:
    _brand(conn)
    _admins(conn, "ann@example.com")
    rows.grant(conn, "ann@example.com", "brand", "login", via="shared-login")
    facts = account_facts(context(conn))[0]
    assert (facts.active_grants, facts.people, facts.shared_logins) == (2, 1, 1)
