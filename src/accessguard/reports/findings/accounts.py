"""Findings about accounts: admins, owners and 2FA custody (recovery channels: ``recovery.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import credentials as _CREDENTIALS
from accessguard.db.tables import grants as _GRANTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.db.tables import totp_keys as _TOTP
from accessguard.inventory.vocab import ADMIN_ROLES
from accessguard.reports.findings.base import Finding, FindingContext, FindingStream, Severity


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """What the account rules look at, gathered by one grouped query."""

    name: str
    platform: str
    handle: str
    criticality: str
    owner_email: str | None
    owner_status: str | None
    recovery_email: str | None
    recovery_email_company: bool | None
    recovery_phone: str | None
    recovery_phone_company: bool | None
    active_grants: int
    people: int
    active_admins: int
    shared_logins: int
    has_credential: bool
    has_totp: bool


def account_facts(ctx: FindingContext) -> list[AccountFacts]:
    """One row per account in service (thousands at most), with grant aggregates and custody flags.

    Archived accounts are left out: archiving needs every grant ended, so each would
    otherwise be reported as having no admin, forever.
    """
    if "account_facts" not in ctx.cache:
        ctx.cache["account_facts"] = _account_facts(ctx)
    facts: list[AccountFacts] = ctx.cache["account_facts"]
    return facts


def _account_facts(ctx: FindingContext) -> list[AccountFacts]:
    grants, people, accounts = _GRANTS.c, _PEOPLE.c, _ACCOUNTS.c
    owner = _PEOPLE.alias("owner")
    per_account = (
        select(
            grants.account_id.label("account_id"),
            func.count(grants.id).label("grants"),
            func.count(func.distinct(grants.person_id)).label("people"),
            func.sum(case((grants.via == "shared-login", 1), else_=0)).label("shared"),
        )
        .where(grants.revoked_at.is_(None))
        .group_by(grants.account_id)
        .subquery("per_account")
    )
    # Admin grants are a small slice of all grants: count them apart, joined to their holders.
    admins = (
        select(
            grants.account_id.label("account_id"),
            func.count(func.distinct(grants.person_id)).label("admins"),
        )
        .join(_PEOPLE, people.id == grants.person_id)
        .where(grants.revoked_at.is_(None), grants.role.in_(ADMIN_ROLES), people.status == "active")
        .group_by(grants.account_id)
        .subquery("admins")
    )
    query = (
        select(
            accounts.id,
            accounts.name,
            accounts.platform,
            accounts.handle,
            accounts.criticality,
            owner.c.email.label("owner_email"),
            owner.c.status.label("owner_status"),
            accounts.recovery_email,
            accounts.recovery_email_company,
            accounts.recovery_phone,
            accounts.recovery_phone_company,
            per_account.c.grants,
            per_account.c.people,
            admins.c.admins,
            per_account.c.shared,
        )
        .select_from(_ACCOUNTS)
        .outerjoin(owner, owner.c.id == accounts.owner_id)
        .outerjoin(per_account, per_account.c.account_id == accounts.id)
        .outerjoin(admins, admins.c.account_id == accounts.id)
        .where(accounts.archived_at.is_(None))  # archived: out of service, no grants to judge
        .order_by(accounts.name)
    )
    credentialed, custody = _custody(ctx)
    return [
        AccountFacts(
            name=row.name,
            platform=row.platform,
            handle=row.handle,
            criticality=row.criticality,
            owner_email=row.owner_email,
            owner_status=row.owner_status,
            recovery_email=row.recovery_email,
            recovery_email_company=row.recovery_email_company,
            recovery_phone=row.recovery_phone,
            recovery_phone_company=row.recovery_phone_company,
            active_grants=int(row.grants or 0),
            people=int(row.people or 0),
            active_admins=int(row.admins or 0),
            shared_logins=int(row.shared or 0),
            has_credential=row.id in credentialed,
            has_totp=row.id in custody,
        )
        for row in ctx.session.execute(query)
    ]


def _custody(ctx: FindingContext) -> tuple[set[int], set[int]]:
    """Account ids with a shared-login credential, and with a live TOTP seed in Vault."""
    credentialed = set(ctx.session.scalars(select(_CREDENTIALS.c.account_id)))
    custody = set(
        ctx.session.scalars(select(_TOTP.c.account_id).where(_TOTP.c.retired_at.is_(None)))
    )
    return credentialed, custody


def account_findings(ctx: FindingContext) -> FindingStream:
    """Admins, owner and 2FA custody for every account (recovery channels: ``recovery.py``)."""
    for acct in account_facts(ctx):
        name = acct.name

        def found(kind: str, severity: Severity, message: str, name: str = name) -> Finding:
            return Finding(kind, severity, "account", name, message, account=name)

        if acct.active_admins == 0:
            yield found("no-admin", Severity.HIGH, f"{name} has no active admin: lock-out risk")
        elif acct.active_admins == 1:
            yield found("single-admin", Severity.MEDIUM, f"{name} has a single active admin")
        if acct.owner_status in ("departed", "leaving"):
            yield found(
                "owner-not-active",
                Severity.MEDIUM,
                f"{name}'s owner {acct.owner_email} is {acct.owner_status}",
            )
        if not acct.has_totp:
            shared = acct.has_credential or acct.shared_logins > 0
            yield found(
                "no-2fa-custody",
                Severity.HIGH if shared else Severity.MEDIUM,
                f"{name} has no 2FA seed in Vault custody"
                + (" and is a shared login" if shared else ""),
            )
