"""An inventory with one instance of each finding, and a clean one, built through the services."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from accessguard.app import App
from accessguard.inventory.accounts import AccountInput, add_account
from accessguard.inventory.grants import add_grant
from accessguard.inventory.models import Account, Grant, Person
from accessguard.inventory.people import PersonInput, add_person


def person(session, app: App, email: str, **kw) -> Person:
    return add_person(session, app.clock, app.actor, PersonInput(email, email.split("@")[0], **kw))


def account(session, app: App, name: str, platform: str, **kw) -> Account:
    return add_account(
        session,
        app.clock,
        app.actor,
        AccountInput(name, platform, f"@{name}", **kw),
        company_domains=["example.com"],
        company_phone_prefixes=["+1555"],
    )


def grant(session, app: App, email: str, acct: str, role: str, via: str = "platform-role") -> Grant:
    return add_grant(
        session, app.clock, app.actor, person_email=email, account_ref=acct, role=role, via=via
    )


def two_admins(session, app: App, acct: str) -> None:
    grant(session, app, "ann@example.com", acct, "admin")
    grant(session, app, "bob@example.com", acct, "admin")


def custody(session, app: App, acct: Account, **kw) -> None:
    """A live 2FA seed in Vault custody for ``acct`` (rows of the credentials layer)."""
    from accessguard.db import tables

    now = app.clock.now()
    values = {
        "account_id": acct.id,
        "key_name": acct.name,
        "enrolled_at": now,
        "enrolled_by": app.actor,
        "exported": False,
        "personal_device": False,
    }
    values.update(kw)
    columns = tables.totp_keys.c
    session.execute(
        insert(tables.totp_keys).values({k: v for k, v in values.items() if k in columns})
    )


def credential(session, app: App, acct: Account, *, age_days: int, state: str = "active") -> None:
    """A shared login whose current version was written ``age_days`` ago."""
    from accessguard.db import tables

    at = app.clock.now() - timedelta(days=age_days)
    values = {
        "account_id": acct.id,
        "vault_path": f"accessguard/{acct.name}",
        "current_version": 2,
        "previous_version": 1,
        "state": state,
        "rotated_at": at,
        "rotated_by": app.actor,
        "created_at": at,
    }
    columns = tables.credentials.c
    session.execute(
        insert(tables.credentials).values({k: v for k, v in values.items() if k in columns})
    )


def build_clean(app: App) -> None:
    """Two active admins on a well-kept account: no finding at all."""
    with app.transaction() as session:
        person(session, app, "ann@example.com")
        person(session, app, "bob@example.com")
        main = account(session, app, "brand-main", "facebook", recovery_email="social@example.com")
        two_admins(session, app, "brand-main")
        custody(session, app, main)
        credential(session, app, main, age_days=3)


EXPECTED = {
    "departed-holds-access": "critical",
    "leaving-holds-access": "high",
    "expired-grant": "high",
    "no-admin": "high",
    "single-admin": "medium",
    "owner-not-active": "medium",
    "recovery-not-company": "medium",
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
    """One instance of each finding kind (drift added when the connectors layer has models)."""
    build_clean(app)
    with app.transaction() as session:
        gone = person(session, app, "gone@example.com")
        person(session, app, "leaver@example.com")
        person(session, app, "agency@partner.test", kind="agency")
        person(session, app, "temp@example.com")
        person(session, app, "idle@example.com")
        grant(session, app, "gone@example.com", "brand-main", "editor")
        gone.status = "departed"
        grant(session, app, "leaver@example.com", "brand-main", "analyst")
        grant(session, app, "agency@partner.test", "brand-main", "admin")
        expired = grant(session, app, "temp@example.com", "brand-main", "editor")
        expired.expires_at = app.clock.now() - timedelta(days=3)
        stale = grant(session, app, "idle@example.com", "brand-main", "editor")
        stale.granted_at = app.clock.now() - timedelta(days=200)

        solo = account(session, app, "brand-solo", "instagram", owner_email="leaver@example.com")
        grant(session, app, "ann@example.com", "brand-solo", "admin")
        custody(session, app, solo)
        orphan = account(session, app, "brand-orphan", "linkedin")
        two_admins(session, app, "brand-orphan")
        for g in session.execute(select(Grant).where(Grant.account_id == orphan.id)).scalars():
            g.role = "editor"
        custody(session, app, orphan)
        rec = account(session, app, "brand-recovery", "pinterest", recovery_email="me@gmail.com")
        two_admins(session, app, "brand-recovery")
        custody(session, app, rec)
        account(session, app, "brand-nofa", "x")
        two_admins(session, app, "brand-nofa")
        grant(session, app, "ann@example.com", "brand-nofa", "login", via="shared-login")
        seed = account(session, app, "brand-seed", "youtube")
        two_admins(session, app, "brand-seed")
        custody(session, app, seed, exported=True, exported_at=app.clock.now(), exported_by="ann")
        phone = account(session, app, "brand-phone", "tiktok")
        two_admins(session, app, "brand-phone")
        custody(session, app, phone, personal_device=True)
        old = account(session, app, "brand-old", "reddit", criticality="critical")
        two_admins(session, app, "brand-old")
        custody(session, app, old)
        credential(session, app, old, age_days=400)
        pending = account(session, app, "brand-pending", "hootsuite")
        two_admins(session, app, "brand-pending")
        custody(session, app, pending)
        credential(session, app, pending, age_days=1, state="rotation-pending")
        session.flush()
        # leaving after the end date: the person row is edited as the HR import would
        leaver = session.execute(
            select(Person).where(Person.email == "leaver@example.com")
        ).scalar_one()
        leaver.status = "leaving"
        leaver.end_date = app.clock.now().date() - timedelta(days=2)
    _overdue_campaign(app)
    _drift(app)


def _drift(app: App) -> None:
    """A reconcile of brand-orphan that found one stranger and lost one grant."""
    from accessguard.connectors.models import DriftItem, ReconcileCheck, ReconcileRun

    now = app.clock.now()
    with app.transaction() as session:
        orphan = session.execute(select(Account).where(Account.name == "brand-orphan")).scalar_one()
        lost = session.execute(select(Grant).where(Grant.account_id == orphan.id)).scalars().first()
        session.add(
            ReconcileRun(
                id="rec-1",
                started_at=now,
                finished_at=now,
                actor=app.actor,
                scope="all",
                status="ok",
                accounts_checked=1,
                drift_count=2,
            )
        )
        session.flush()
        check = ReconcileCheck(
            run_id="rec-1", account_id=orphan.id, checked_at=now, status="ok", connector="fake"
        )
        session.add(check)
        session.flush()
        common = {
            "run_id": "rec-1",
            "check_id": check.id,
            "account_id": orphan.id,
            "account_name": orphan.name,
            "platform": orphan.platform,
            "found_at": now,
        }
        session.add(DriftItem(kind="unmanaged", email="stranger@gmail.com", role="admin", **common))
        session.add(
            DriftItem(
                kind="missing",
                email="ann@example.com",
                grant_id=lost.id,
                person_id=lost.person_id,
                role=lost.role,
                **common,
            )
        )


def _overdue_campaign(app: App) -> None:
    from accessguard.reports.campaigns import start_campaign

    with app.transaction() as session:
        campaign = start_campaign(
            session,
            app.clock,
            app.actor,
            scope="account brand-solo",
            reviewer="bob@example.com",
            due=app.clock.now().date(),
        )
        campaign.due_date = app.clock.now().date() - timedelta(days=1)  # as if time had passed
