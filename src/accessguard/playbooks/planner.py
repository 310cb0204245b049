"""Turn a playbook and a subject into an exact plan, refusing to orphan any account."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from accessguard.errors import ConflictError, InputError
from accessguard.inventory.admin import Handover, handover
from accessguard.inventory.records import (
    HeldAccount,
    HeldGrant,
    PersonRecord,
    active_grants_for,
    get_person_record,
    person_to_dict,
)
from accessguard.playbooks.guards import departing, held_by_runs
from accessguard.playbooks.plan import Plan, PlanItem, PlanStep
from accessguard.playbooks.schema import ForEach, Playbook, Step
from accessguard.playbooks.sources import (
    CredentialParams,
    FieldParams,
    GrantParams,
    HandoverParams,
    SeedParams,
    Source,
    SubjectParams,
)

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
            grant_item(
                GrantParams(
                    grant_id=grant.id,
                    account_id=account.id,
                    account=account.name,
                    platform=account.platform,
                    handle=account.handle,
                    role=grant.role,
                    via=grant.via,
                )
            )
        )
    return items


def grant_item(params: GrantParams) -> PlanItem:
    """The plan item for one grant: a stable id and a label naming whose grant when it is not the subject's."""
    label = f"{params.account} ({params.platform}): {params.role} via {params.via}"
    if params.person is not None:
        label = f"{params.person} on {label}"
    return PlanItem(f"grant-{params.grant_id}", label, params)


def _credential_items(
    session: Connection,
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
                CredentialParams(
                    credential_id=exposed.credential_id,
                    account_id=exposed.account_id,
                    account=exposed.account_name,
                    platform=platform,
                    version=exposed.version,
                    observed=exposed.observed,
                ),
            )
        )
    return items


def _field_items(
    session: Connection, person: PersonRecord, filters: dict[str, tuple[str, ...]]
) -> list[PlanItem]:
    from accessguard.credentials.exposure import exposed_fields
    from accessguard.credentials.fields import LABELS

    items = []
    for seen in exposed_fields(session, person.id):
        if "platform" in filters and seen.platform not in filters["platform"]:
            continue
        if "field" in filters and seen.field not in filters["field"]:
            continue
        label = LABELS.get(seen.field, seen.field)
        items.append(
            PlanItem(
                f"credential-{seen.credential_id}-{seen.field}",
                f"{seen.account_name}: {label} seen in version {seen.version}",
                FieldParams(
                    credential_id=seen.credential_id,
                    account_id=seen.account_id,
                    account=seen.account_name,
                    platform=seen.platform,
                    field=seen.field,
                    version=seen.version,
                ),
            )
        )
    return items


def _seed_items(
    session: Connection, person: PersonRecord, filters: dict[str, tuple[str, ...]]
) -> list[PlanItem]:
    from accessguard.credentials.exposure import exported_seed_accounts

    return [
        PlanItem(
            f"account-{account.id}",
            f"{account.name} ({account.platform}): 2FA seed they saw",
            SeedParams(account_id=account.id, account=account.name, platform=account.platform),
        )
        for account in exported_seed_accounts(session, person.id)
        if "platform" not in filters or account.platform in filters["platform"]
    ]


def _handover_items(rows: list[Handover], filters: dict[str, tuple[str, ...]]) -> list[PlanItem]:
    items = []
    for row in rows:
        if "platform" in filters and row.platform not in filters["platform"]:
            continue
        who = f"{row.inheritor} inherits ownership" if row.inheritor else "NO ONE inherits"
        admins = ", ".join(row.other_admins) or "no other admin"
        items.append(
            PlanItem(
                f"account-{row.account_id}",
                f"{row.account} ({row.platform}): {who}; admins left: {admins}",
                HandoverParams(
                    account_id=row.account_id,
                    account=row.account,
                    platform=row.platform,
                    owned=row.owned,
                    other_admins=row.other_admins,
                    inheritor=row.inheritor,
                    inheritor_is_admin=row.inheritor_is_admin,
                    covered=row.covered,
                ),
            )
        )
    return items


def _holds(rows: list[Handover], heir: PersonRecord | None, *, force: bool) -> list[str]:
    """What the plan holds: removals on an account wait until its successor is a confirmed admin."""
    if force or heir is None:
        return []
    return [
        f"hold: nothing is removed from {r.account} ({r.platform}) until {r.inheritor} shows "
        "as its admin on the platform (or a person confirms the handover item)"
        for r in rows
        if not r.other_admins and r.inheritor == heir.email
    ]


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
    session: Connection,
    person: PersonRecord,
    for_each: ForEach | None,
    *,
    grants: Grants,
    handover_rows: list[Handover],
    observed_only: bool,
) -> list[PlanItem]:
    if for_each is None:
        return [PlanItem(SUBJECT_ITEM, person.email, SubjectParams(person.email))]
    source = Source(for_each.source)
    if source is Source.GRANTS:
        return _grant_items(grants, for_each.filters)
    if source is Source.EXPOSED_CREDENTIALS:
        return _credential_items(
            session, person, observed_only=observed_only, filters=for_each.filters
        )
    if source is Source.EXPOSED_FIELDS:
        return _field_items(session, person, for_each.filters)
    if source is Source.EXPORTED_SEEDS:
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
        source=Source(step.for_each.source) if step.for_each else Source.SUBJECT,
    )


def build_plan(
    session: Connection,
    playbook: Playbook,
    email: str,
    *,
    successor: str | None = None,
    force: bool = False,
    observed_only: bool = False,
    planned_with: Mapping[int, tuple[str, str]] | None = None,
) -> Plan:
    """The exact plan for offboarding ``email``; ConflictError if an account would be orphaned.

    ``planned_with``: offboardings planned before this one in the same batch (person id ->
    (label, email)), which count as leaving like runs in flight (``leavers run --dry-run``).
    """
    person = get_person_record(session, email)
    heir = get_person_record(session, successor) if successor else None
    if heir is not None and (heir.id == person.id or heir.status == "departed"):
        raise InputError(
            f"successor {heir.email} cannot inherit: {'it is the leaver' if heir.id == person.id else 'they have departed'}"
        )
    grants = active_grants_for(session, person.id)
    others = {**departing(session, exclude_subject=person.email), **(planned_with or {})}
    rows = handover(session, person, heir, grants=grants, going=set(others))
    orphaned = [r for r in rows if not r.covered]
    warnings = []
    if orphaned and not force:
        names = ", ".join(f"{r.account} ({r.platform})" for r in orphaned)
        held = held_by_runs(
            session, [(r.account_id, r.account, r.platform) for r in orphaned], others
        )
        if held:
            raise ConflictError(
                f"held: offboarding {person.email} would leave an account with no admin: "
                + "; ".join(held),
                hint="finish (or cancel) that run first, or name a successor who becomes "
                "admin (--successor); --force accepts the risk",
                code="handover-held",
            )
        raise ConflictError(
            f"refusing to offboard {person.email}: it would leave {names} with no active admin or owner",
            hint="name who inherits with --successor PERSON, or give another person an admin role first; --force accepts the risk",
            code="handover-guard",
        )
    for row in orphaned:
        warnings.append(
            f"{row.account} ({row.platform}) will have no active admin or owner (--force)"
        )
    warnings.extend(_holds(rows, heir, force=force))
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
