"""Turn a playbook and a subject into an exact plan, refusing to orphan any account."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import grants as _GRANTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.db.types import Executor
from accessguard.errors import ConflictError, InputError
from accessguard.inventory.records import (
    HeldAccount,
    HeldGrant,
    PersonRecord,
    active_grants_for,
    get_person_record,
    person_to_dict,
)
from accessguard.inventory.vocab import is_admin_role
from accessguard.playbooks.plan import Plan, PlanItem, PlanStep
from accessguard.playbooks.schema import ForEach, Playbook, Step

SUBJECT_ITEM = "subject"

#: The person's active grants with their accounts, read once per plan.
Grants = Sequence[tuple[HeldGrant, HeldAccount]]


def _grant_items(grants: Grants, filters: dict[str, tuple[str, ...]]) -> list[PlanItem]:
    items = []
    for grant, account in grants:
        if "via" in filters and grant.via not in filters["via"]:
            continue
        if "platform" in filters and account.platform not in filters["platform"]:
            continue
        if "role" in filters and grant.role not in filters["role"]:
            continue
        if "admin" in filters and str(grant.is_admin).lower() not in filters["admin"]:
            continue
        items.append(
            PlanItem(
                f"grant-{grant.id}",
                f"{account.name} ({account.platform}): {grant.role} via {grant.via}",
                {
                    "grant_id": grant.id,
                    "account_id": account.id,
                    "account": account.name,
                    "platform": account.platform,
                    "handle": account.handle,
                    "role": grant.role,
                    "via": grant.via,
                },
            )
        )
    return items


def _credential_items(
    session: Executor,
    person: PersonRecord,
    *,
    observed_only: bool,
    filters: dict[str, tuple[str, ...]],
) -> list[PlanItem]:
    from accessguard.credentials.exposure import exposed_credentials

    found = exposed_credentials(session, person.id, observed_only=observed_only)
    items = []
    for exposed in found:
        platform = exposed.platform
        if "platform" in filters and platform not in filters["platform"]:
            continue
        how = "observed" if exposed.observed else "possible"
        items.append(
            PlanItem(
                f"credential-{exposed.credential_id}",
                f"{exposed.account_name}: shared login version {exposed.version} ({how} exposure)",
                {
                    "credential_id": exposed.credential_id,
                    "account_id": exposed.account_id,
                    "account": exposed.account_name,
                    "platform": platform,
                    "version": exposed.version,
                    "observed": exposed.observed,
                },
            )
        )
    return items


def _seed_items(
    session: Executor, person: PersonRecord, filters: dict[str, tuple[str, ...]]
) -> list[PlanItem]:
    from accessguard.credentials.exposure import exported_seed_accounts

    return [
        PlanItem(
            f"account-{account.id}",
            f"{account.name} ({account.platform}): exported 2FA seed",
            {"account_id": account.id, "account": account.name, "platform": account.platform},
        )
        for account in exported_seed_accounts(session, person.id)
        if "platform" not in filters or account.platform in filters["platform"]
    ]


def _other_admins(session: Executor, person_id: int, account_ids: set[int]) -> dict[int, list[str]]:
    """Account id -> other active people holding an admin role (not a shared login) on it."""
    found: dict[int, set[str]] = {account_id: set() for account_id in account_ids}
    if account_ids:
        grants, people = _GRANTS.c, _PEOPLE.c
        rows = session.execute(
            select(grants.account_id, grants.role, people.email)
            .join(_PEOPLE, people.id == grants.person_id)
            .where(
                grants.account_id.in_(account_ids),
                grants.revoked_at.is_(None),
                grants.via != "shared-login",
                people.id != person_id,
                people.status != "departed",
            )
        )
        for account_id, role, email in rows:
            if is_admin_role(role):
                found[account_id].add(email)
    return {account_id: sorted(emails) for account_id, emails in found.items()}


def admins_of(session: Executor, account_id: int, person_id: int) -> list[str]:
    """Other active people than ``person_id`` holding an admin role (not a shared login) on the account."""
    return _other_admins(session, person_id, {account_id})[account_id]


def handover(
    session: Executor, person: PersonRecord, successor: PersonRecord | None, *, grants: Grants
) -> list[dict[str, Any]]:
    """For each account the person owns or administers: who keeps it, who inherits ownership.

    ``grants`` are the person's active grants (``active_grants_for``). Admins and owners
    are read for all those accounts at once, not per account.
    """
    accounts_c, people = _ACCOUNTS.c, _PEOPLE.c
    owned = session.execute(
        select(accounts_c.id, accounts_c.name, accounts_c.platform, accounts_c.owner_id).where(
            accounts_c.owner_id == person.id
        )
    ).all()
    accounts: dict[int, Any] = {a.id: a for a in owned}
    for grant, held in grants:
        if grant.is_admin and grant.via != "shared-login":
            accounts.setdefault(held.id, held)
    admins_by_account = _other_admins(session, person.id, set(accounts))
    owner_ids = {a.owner_id for a in accounts.values() if a.owner_id}
    owners = (
        {
            p.id: p
            for p in session.execute(
                select(people.id, people.email, people.status).where(people.id.in_(owner_ids))
            )
        }
        if owner_ids
        else {}
    )
    result = []
    for account in sorted(accounts.values(), key=lambda a: a.name):
        admins = admins_by_account[account.id]
        owner = owners.get(account.owner_id) if account.owner_id else None
        owned_by_subject = owner is not None and owner.id == person.id
        owner_ok = owner is not None and not owned_by_subject and owner.status != "departed"
        if owned_by_subject or owner is None:
            inheritor = successor.email if successor else (admins[0] if admins else None)
        else:
            inheritor = owner.email if owner_ok else (successor.email if successor else None)
        covered = bool(admins) or owner_ok or successor is not None
        result.append(
            {
                "account_id": account.id,
                "account": account.name,
                "platform": account.platform,
                "owned": owned_by_subject,
                "other_admins": admins,
                "inheritor": inheritor,
                "inheritor_is_admin": inheritor in admins,
                "covered": covered,
            }
        )
    return result


def _handover_items(
    rows: list[dict[str, Any]], filters: dict[str, tuple[str, ...]]
) -> list[PlanItem]:
    items = []
    for row in rows:
        if "platform" in filters and row["platform"] not in filters["platform"]:
            continue
        who = f"{row['inheritor']} inherits ownership" if row["inheritor"] else "NO ONE inherits"
        admins = ", ".join(row["other_admins"]) or "no other admin"
        items.append(
            PlanItem(
                f"account-{row['account_id']}",
                f"{row['account']} ({row['platform']}): {who}; admins left: {admins}",
                row,
            )
        )
    return items


def _when_holds(
    when: dict[str, Any], person: PersonRecord, successor: PersonRecord | None
) -> str | None:
    """None when every condition holds, else the reason the step is skipped."""
    for key, expected in when.items():
        if key == "successor":
            if expected != (successor is not None):
                return f"when successor is {str(expected).lower()}"
            continue
        actual = getattr(person, key) or ""
        if actual not in expected:
            return f"when {key} is {' or '.join(expected)} ({key} is {actual or 'unset'})"
    return None


def _items(
    session: Executor,
    person: PersonRecord,
    for_each: ForEach | None,
    *,
    grants: Grants,
    handover_rows: list[dict[str, Any]],
    observed_only: bool,
) -> list[PlanItem]:
    if for_each is None:
        return [PlanItem(SUBJECT_ITEM, person.email, {"person": person.email})]
    if for_each.source == "grants":
        return _grant_items(grants, for_each.filters)
    if for_each.source == "exposed_credentials":
        return _credential_items(
            session, person, observed_only=observed_only, filters=for_each.filters
        )
    if for_each.source == "exported_seeds":
        return _seed_items(session, person, for_each.filters)
    return _handover_items(handover_rows, for_each.filters)


def _plan_step(step: Step, items: list[PlanItem], skipped: str | None) -> PlanStep:
    if skipped is None and not items:
        skipped = "nothing to do"
    return PlanStep(
        id=step.id,
        action=step.action,
        description=step.description,
        on_failure=step.on_failure,
        destructive=step.destructive,
        args=step.args,
        items=tuple(items) if skipped is None else (),
        skipped=skipped,
    )


def build_plan(
    session: Executor,
    playbook: Playbook,
    email: str,
    *,
    successor: str | None = None,
    force: bool = False,
    observed_only: bool = False,
) -> Plan:
    """The exact plan for offboarding ``email``; ConflictError if an account would be orphaned."""
    person = get_person_record(session, email)
    heir = get_person_record(session, successor) if successor else None
    if heir is not None and (heir.id == person.id or heir.status == "departed"):
        raise InputError(
            f"successor {heir.email} cannot inherit: {'it is the leaver' if heir.id == person.id else 'they have departed'}"
        )
    grants = active_grants_for(session, person.id)
    rows = handover(session, person, heir, grants=grants)
    orphaned = [r for r in rows if not r["covered"]]
    warnings = []
    if orphaned and not force:
        names = ", ".join(f"{r['account']} ({r['platform']})" for r in orphaned)
        raise ConflictError(
            f"refusing to offboard {person.email}: it would leave {names} with no active admin or owner",
            hint="name who inherits with --successor PERSON, or give another person an admin role first; --force accepts the risk",
            code="handover-guard",
        )
    for row in orphaned:
        warnings.append(
            f"{row['account']} ({row['platform']}) will have no active admin or owner (--force)"
        )
    steps = []
    for step in playbook.steps:
        skipped = _when_holds(step.when, person, heir)
        items = (
            []
            if skipped
            else _items(
                session,
                person,
                step.for_each,
                grants=grants,
                handover_rows=rows,
                observed_only=observed_only,
            )
        )
        steps.append(_plan_step(step, items, skipped))
    return Plan(
        subject={**person_to_dict(person), "id": person.id},
        playbook=playbook.name,
        playbook_digest=playbook.digest,
        steps=tuple(steps),
        successor=heir.email if heir else None,
        force=force,
        observed_only=observed_only,
        warnings=tuple(warnings),
    )
