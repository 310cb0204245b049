"""Findings about people and their grants, each computed by one set-based query."""

from __future__ import annotations

from sqlalchemy import Subquery, and_, case, func, or_, select

from accessguard.credentials.models import Credential, Exposure, TotpKey
from accessguard.inventory.models import Account, Grant, Person
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
    admin = func.sum(case((Grant.role.in_(ADMIN_ROLES), 1), else_=0))
    query = (
        select(Person.email, Person.status, Person.end_date, func.count(Grant.id), admin)
        .join(Grant, and_(Grant.person_id == Person.id, Grant.revoked_at.is_(None)))
        .where(Person.status.in_(("departed", "leaving")))
        .group_by(Person.id, Person.email, Person.status, Person.end_date)
        .order_by(Person.email)
    )
    today = ctx.now.date()
    for email, status, end_date, grants, admins in ctx.session.execute(query):
        held = f"{grants} grant(s), {int(admins or 0)} admin"
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
    query = (
        select(Grant.id, Grant.role, Grant.expires_at, Person.email, Account.name)
        .join(Person, Person.id == Grant.person_id)
        .join(Account, Account.id == Grant.account_id)
        .where(Grant.revoked_at.is_(None), Grant.expires_at < ctx.now)
        .order_by(Grant.id)
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
    query = (
        select(Grant.id, Grant.role, Person.email, Person.kind, Account.name, Account.criticality)
        .join(Person, Person.id == Grant.person_id)
        .join(Account, Account.id == Grant.account_id)
        .where(
            Grant.revoked_at.is_(None),
            Grant.role.in_(ADMIN_ROLES),
            Person.kind.in_(("contractor", "agency")),
        )
        .order_by(Grant.id)
        .execution_options(yield_per=YIELD)
    )
    for gid, role, email, kind, account, criticality in ctx.session.execute(query):
        severity = Severity.HIGH if criticality == "critical" else Severity.MEDIUM
        message = f"{kind} {email} holds the {role} role on {account}"
        yield Finding(
            "external-admin", severity, "grant", str(gid), message, account=account, person=email
        )


def _last_exposure_subquery() -> Subquery:
    """Per (person, account): the last observed reveal or code."""
    by_credential = select(
        Exposure.person_id.label("person_id"),
        Credential.account_id.label("account_id"),
        Exposure.occurred_at.label("occurred_at"),
    ).join(Credential, Credential.id == Exposure.credential_id)
    by_totp = select(
        Exposure.person_id.label("person_id"),
        TotpKey.account_id.label("account_id"),
        Exposure.occurred_at.label("occurred_at"),
    ).join(TotpKey, TotpKey.id == Exposure.totp_key_id)
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


def stale_grants(ctx: FindingContext) -> FindingStream:
    """Grants with no use (reveal, code, or recorded use) in the stale window (low; admin medium)."""
    days = ctx.settings.policy.stale_grant_days
    cutoff = ctx.days_ago(days)
    used = func.coalesce(Grant.last_used_at, Grant.granted_at)
    last_use = _last_exposure_subquery()
    query = (
        select(
            Grant.id,
            Grant.role,
            Grant.last_used_at,
            Grant.granted_at,
            Person.email,
            Account.name,
            last_use.c.last_exposure,
        )
        .join(Person, Person.id == Grant.person_id)
        .join(Account, Account.id == Grant.account_id)
        .outerjoin(
            last_use,
            and_(
                last_use.c.person_id == Grant.person_id,
                last_use.c.account_id == Grant.account_id,
            ),
        )
        .where(
            Grant.revoked_at.is_(None),
            used < cutoff,
            or_(last_use.c.last_exposure.is_(None), last_use.c.last_exposure < cutoff),
        )
        .order_by(Grant.id)
        .execution_options(yield_per=YIELD)
    )
    for gid, role, last_used, granted_at, email, account, exposure_at in ctx.session.execute(query):
        last = max((t for t in (last_used, exposure_at) if t is not None), default=None)
        if last is None:
            since = f"never used since granted {granted_at.date().isoformat()}"
        else:
            since = f"last used {last.date().isoformat()}"
        severity = Severity.MEDIUM if role in ADMIN_ROLES else Severity.LOW
        message = f"{email}'s {role} on {account}: no use in {days}+ days ({since})"
        yield Finding(
            "stale-grant", severity, "grant", str(gid), message, account=account, person=email
        )
