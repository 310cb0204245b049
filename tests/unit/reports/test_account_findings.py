"""Findings about accounts: admins, owners, recovery contacts, 2FA custody."""

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


def test_recovery_email_outside_the_company_domains(conn: Connection) -> None:
    _brand(conn, recovery_email="me@gmail.com")
    _admins(conn, "ann@example.com", "bob@example.com")
    assert kinds(account_findings(context(conn))) == {"recovery-not-company": "medium"}


def test_recovery_email_on_a_company_domain_is_no_finding(conn: Connection) -> None:
    _brand(conn, recovery_email="social@example.com")
    _admins(conn, "ann@example.com", "bob@example.com")
    assert list(account_findings(context(conn))) == []


def test_recorded_company_flag_wins_over_the_domain(conn: Connection) -> None:
    _brand(conn, recovery_email="social@example.com", recovery_email_company=False)
    _admins(conn, "ann@example.com", "bob@example.com")
    assert kinds(account_findings(context(conn))) == {"recovery-not-company": "medium"}


def test_recovery_phone_outside_the_company_prefixes(conn: Connection) -> None:
    _brand(conn, recovery_phone="+44 20 7946 0000")
    _admins(conn, "ann@example.com", "bob@example.com")
    assert kinds(account_findings(context(conn))) == {"recovery-not-company": "medium"}


def test_recovery_phone_with_a_company_prefix_is_no_finding(conn: Connection) -> None:
    _brand(conn, recovery_phone="+1 555 0100")
    _admins(conn, "ann@example.com", "bob@example.com")
    assert list(account_findings(context(conn))) == []


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
