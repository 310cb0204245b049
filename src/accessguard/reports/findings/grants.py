"""Findings about people and their grants, each computed by one set-based query."""

from __future__ import annotations

from sqlalchemy import Subquery, and_, case, func, or_, select

from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import credentials as _CREDENTIALS
from accessguard.db.tables import exposures as _EXPOSURES
from accessguard.db.tables import grants as _GRANTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.db.tables import totp_keys as _TOTP
from accessguard.inventory.vocab import ADMIN_ROLES
from accessguard.reports.findings.base import (
    Finding,
    FindingContext,
    FindingStream,
    Severity,
    age_days,
)

YIELD = 5000


def leavers_holding_access(ctx: FindingContext) -> FindingStream:
    """Departed (critical) or leaving (high once the end date passed, else medium) with access."""
    grants, people = _GRANTS.c, _PEOPLE.c
    admin = func.sum(case((grants.role.in_(ADMIN_ROLES), 1), else_=0))
    query = (
        select(people.email, people.status, people.end_date, func.count(grants.id), admin)
        .join(_GRANTS, and_(grants.person_id == people.id, grants.revoked_at.is_(None)))
        .where(people.status.in_(("departed", "leaving")))
        .group_by(people.id, people.email, people.status, people.end_date)
        .order_by(people.email)
    )
    today = ctx.now.date()
    for email, status, end_date, held_grants, admins in ctx.session.execute(query):
        held = f"{held_grants} grant(s), {int(admins or 0)} admin"
        if status == "departed":
            severity, kind = Severity.CRITICAL, "departed-holds-access"
            message = f"{email} has departed but still holds {held}"
        else:
            passed = end_date is not None and end_date <= today
            severity = Severity.HIGH if passed else Severity.MEDIUM
            kind = "leaving-holds-access"
            when = f"end date {end_date.isoformat()}" if end_date else "no end date"
            message = f"{email} is leaving ({when}) and still holds {held}"
        yield Finding(kind, severity, "person", email, message, person=email)


def expired_grants(ctx: FindingContext) -> FindingStream:
    """Grants past their expiry that nobody ended (high)."""
    grants, people, accounts = _GRANTS.c, _PEOPLE.c, _ACCOUNTS.c
    query = (
        select(grants.id, grants.role, grants.expires_at, people.email, accounts.name)
        .join(_PEOPLE, people.id == grants.person_id)
        .join(_ACCOUNTS, accounts.id == grants.account_id)
        .where(grants.revoked_at.is_(None), grants.expires_at < ctx.now)
        .order_by(grants.id)
        .execution_options(yield_per=YIELD)
    )
    for gid, role, expires_at, email, account in ctx.session.execute(query):
        message = (
            f"{email}'s {role} on {account} expired {expires_at:%Y-%m-%d} "
            f"({age_days(ctx.now, expires_at)} days ago) but is still active"
        )
        yield Finding(
            "expired-grant",
            Severity.HIGH,
            "grant",
            str(gid),
            message,
            account=account,
            person=email,
        )


def external_admins(ctx: FindingContext) -> FindingStream:
    """Agencies and contractors holding an admin role (medium; high on critical accounts)."""
    grants, people, accounts = _GRANTS.c, _PEOPLE.c, _ACCOUNTS.c
    query = (
        select(
            grants.id,
            grants.role,
            people.email,
            people.kind,
            accounts.name,
            accounts.criticality,
        )
        .join(_PEOPLE, people.id == grants.person_id)
        .join(_ACCOUNTS, accounts.id == grants.account_id)
        .where(
            grants.revoked_at.is_(None),
            grants.role.in_(ADMIN_ROLES),
            people.kind.in_(("contractor", "agency")),
        )
        .order_by(grants.id)
        .execution_options(yield_per=YIELD)
    )
    for gid, role, email, kind, account, criticality in ctx.session.execute(query):
        severity = Severity.HIGH if criticality == "critical" else Severity.MEDIUM
        message = f"{kind} {email} holds the {role} role on {account}"
        yield Finding(
            "external-admin", severity, "grant", str(gid), message, account=account, person=email
        )


#: Exposure kinds that are a person using a shared login: a reveal, a TOTP code.
USE_KINDS = ("reveal", "totp-code")


def _last_exposure_subquery() -> Subquery:
    """Per (person, account): the last reveal or code observed (the exposure records)."""
    creds, exposures, keys = _CREDENTIALS.c, _EXPOSURES.c, _TOTP.c
    by_credential = (
        select(
            exposures.person_id.label("person_id"),
            creds.account_id.label("account_id"),
            exposures.occurred_at.label("occurred_at"),
        )
        .join(_CREDENTIALS, creds.id == exposures.credential_id)
        .where(exposures.kind.in_(USE_KINDS))
    )
    by_totp = (
        select(
            exposures.person_id.label("person_id"),
            keys.account_id.label("account_id"),
            exposures.occurred_at.label("occurred_at"),
        )
        .join(_TOTP, keys.id == exposures.totp_key_id)
        .where(exposures.kind.in_(USE_KINDS))
    )
    uses = by_credential.union_all(by_totp).subquery("uses")
    return (
        select(
            uses.c.person_id,
            uses.c.account_id,
            func.max(uses.c.occurred_at).label("last_exposure"),
        )
        .group_by(uses.c.person_id, uses.c.account_id)
        .subquery("last_use")
    )


def _custody_subquery() -> Subquery:
    """Per account: since when the tool holds its login or seed (so sees every use of it)."""
    creds, keys = _CREDENTIALS.c, _TOTP.c
    held = (
        select(creds.account_id.label("account_id"), creds.created_at.label("since"))
        .union_all(select(keys.account_id.label("account_id"), keys.enrolled_at.label("since")))
        .subquery("held")
    )
    return (
        select(held.c.account_id, func.min(held.c.since).label("since"))
        .group_by(held.c.account_id)
        .subquery("custody")
    )


def stale_grants(ctx: FindingContext) -> FindingStream:
    """Grants whose real use data shows no use in the stale window (low; admin roles medium).

    Only from data: a shared-login grant on an account whose login or seed the tool has
    held for the whole window (every reveal and code is recorded, so none is data), and
    any grant whose ``last_used_at`` was recorded (a reveal or code, or a platform's
    last activity). A platform-role grant nobody recorded a use of is no finding.
    """
    grants, people, accounts = _GRANTS.c, _PEOPLE.c, _ACCOUNTS.c
    days = ctx.settings.policy.stale_grant_days
    cutoff = ctx.days_ago(days)
    last_use, custody = _last_exposure_subquery(), _custody_subquery()
    exposure = last_use.c.last_exposure
    watched_shared_login = and_(grants.via == "shared-login", custody.c.since < cutoff)
    query = (
        select(
            grants.id,
            grants.role,
            grants.via,
            grants.last_used_at,
            grants.granted_at,
            people.email,
            accounts.name,
            exposure,
        )
        .join(_PEOPLE, people.id == grants.person_id)
        .join(_ACCOUNTS, accounts.id == grants.account_id)
        .outerjoin(
            last_use,
            and_(
                last_use.c.person_id == grants.person_id,
                last_use.c.account_id == grants.account_id,
            ),
        )
        .outerjoin(custody, custody.c.account_id == grants.account_id)
        .where(
            grants.revoked_at.is_(None),
            grants.granted_at < cutoff,
            or_(grants.last_used_at.is_(None), grants.last_used_at < cutoff),
            or_(exposure.is_(None), exposure < cutoff),
            or_(watched_shared_login, grants.last_used_at.is_not(None)),
        )
        .order_by(grants.id)
        .execution_options(yield_per=YIELD)
    )
    for gid, role, via, last_used, granted_at, email, account, exposure_at in ctx.session.execute(
        query
    ):
        last = max((t for t in (last_used, exposure_at) if t is not None), default=None)
        if last is not None:
            since = f"last used {last.date().isoformat()}"
        else:
            since = f"no reveal or code since granted {granted_at.date().isoformat()}"
        severity = Severity.MEDIUM if role in ADMIN_ROLES else Severity.LOW
        message = f"{email}'s {role} ({via}) on {account}: no use in {days}+ days ({since})"
        yield Finding(
            "stale-grant", severity, "grant", str(gid), message, account=account, person=email
        )
