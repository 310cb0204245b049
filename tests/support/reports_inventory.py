"""An inventory with one instance of each finding, and a clean one, written as rows."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.engine import Connection

from accessguard.app import App
from accessguard.db import tables
from support import rows


def _two_admins(conn: Connection, app: App, acct: str) -> None:
    for email in ("ann@example.com", "bob@example.com"):
        rows.grant(conn, email, acct, "admin", now=app.clock.now())


def _account(conn: Connection, app: App, name: str, platform: str, **kw: object) -> int:
    """An account with a live 2FA seed named after it."""
    now = app.clock.now()
    account = rows.account(conn, name, platform, now=now, **kw)
    rows.totp_key(conn, account, key_name=name, now=now)
    return account


def build_clean(app: App) -> None:
    """Two active admins on a well-kept account: no finding at all."""
    now = app.clock.now()
    with app.begin() as conn:
        rows.person(conn, "ann@example.com", now=now)
        rows.person(conn, "bob@example.com", now=now)
        main = _account(
            conn,
            app,
            "brand-main",
            "facebook",
            recovery_email="social@example.com",
            recovery_email_company=True,
        )
        _two_admins(conn, app, "brand-main")
        rows.credential(conn, main, age_days=3, vault_path="accessguard/brand-main", now=now)


EXPECTED = {
    "departed-holds-access": "critical",
    "leaving-holds-access": "high",
    "expired-grant": "high",
    "no-admin": "high",
    "single-admin": "medium",
    "owner-not-active": "medium",
    "recovery-not-company": "medium",
    "recovery-leaver": "critical",
    "recovery-unknown": "medium",
    "no-2fa-custody": "high",
    "seed-exported": "high",
    "seed-personal-device": "medium",
    "rotation-overdue": "high",
    "rotation-pending": "medium",
    "external-admin": "medium",
    "stale-grant": "low",
    "review-overdue": "medium",
    "drift-unmanaged": "high",
    "drift-missing": "low",
}


def build_findings(app: App) -> None:
    """One instance of each finding kind."""
    build_clean(app)
    now = app.clock.now()
    today = now.date()
    with app.begin() as conn:
        rows.person(
            conn, "gone@example.com", status="departed", personal_phone="+44 20 7946 0000", now=now
        )
        leaver = rows.person(
            conn,
            "leaver@example.com",
            status="leaving",
            end_date=today - timedelta(days=2),
            now=now,
        )
        rows.person(conn, "agency@partner.test", kind="agency", now=now)
        rows.person(conn, "temp@example.com", now=now)
        rows.person(conn, "idle@example.com", personal_email="me@gmail.com", now=now)
        rows.grant(conn, "gone@example.com", "brand-main", "editor", now=now)
        rows.grant(conn, "leaver@example.com", "brand-main", "analyst", now=now)
        rows.grant(conn, "agency@partner.test", "brand-main", "admin", now=now)
        rows.grant(
            conn, "temp@example.com", "brand-main", "editor", expires_at=now - timedelta(days=3)
        )
        rows.grant(
            conn,
            "idle@example.com",
            "brand-main",
            "editor",
            now=now - timedelta(days=200),
            last_used_at=now - timedelta(days=150),  # a recorded use, long ago
        )

        _account(
            conn,
            app,
            "brand-solo",
            "instagram",
            owner_id=leaver,
            recovery_email="stranger@mail.test",
        )
        solo_admin = rows.grant(conn, "ann@example.com", "brand-solo", "admin", now=now)
        orphan = _account(conn, app, "brand-orphan", "linkedin")
        lost = rows.grant(conn, "ann@example.com", "brand-orphan", "editor", now=now)
        rows.grant(conn, "bob@example.com", "brand-orphan", "editor", now=now)
        _account(
            conn,
            app,
            "brand-recovery",
            "pinterest",
            recovery_email="me@gmail.com",
            recovery_email_company=False,
            recovery_phone="0044 20 7946 0000",
        )
        _two_admins(conn, app, "brand-recovery")
        rows.account(conn, "brand-nofa", "x", now=now)
        _two_admins(conn, app, "brand-nofa")
        rows.grant(conn, "ann@example.com", "brand-nofa", "login", via="shared-login", now=now)
        seed = _account(conn, app, "brand-seed", "youtube")
        conn.execute(
            update(tables.totp_keys)
            .where(tables.totp_keys.c.account_id == seed)
            .values(exported=True, exported_at=now, exported_by="ann")
        )
        _two_admins(conn, app, "brand-seed")
        phone = _account(conn, app, "brand-phone", "tiktok")
        conn.execute(
            update(tables.totp_keys)
            .where(tables.totp_keys.c.account_id == phone)
            .values(personal_device=True)
        )
        _two_admins(conn, app, "brand-phone")
        old = _account(conn, app, "brand-old", "reddit", criticality="critical")
        _two_admins(conn, app, "brand-old")
        rows.credential(conn, old, age_days=400, vault_path="accessguard/brand-old", now=now)
        pending = _account(conn, app, "brand-pending", "hootsuite")
        _two_admins(conn, app, "brand-pending")
        rows.credential(
            conn,
            pending,
            age_days=1,
            state="rotation-pending",
            vault_path="accessguard/brand-pending",
            now=now,
        )
        # as if the campaign had been started on brand-solo and its due date had passed
        rows.overdue_review(
            conn,
            solo_admin,
            reviewer="bob@example.com",
            due=today - timedelta(days=1),
            scope="brand-solo",
            now=now,
        )
        # a reconcile of brand-orphan that found one stranger and lost one grant
        check = rows.reconcile_check(conn, orphan, now=now)
        rows.drift(conn, check, "unmanaged", email="stranger@gmail.com", role="admin", now=now)
        rows.drift(
            conn,
            check,
            "missing",
            email="ann@example.com",
            grant_id=lost,
            person_id=rows.person_id(conn, "ann@example.com"),
            role="editor",
            now=now,
        )
