"""Grants: give and revoke (stamped, never deleted).

The who-has and holdings views, the set-based reads and the ending of many grants at
once are in ``records.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.errors import ConflictError, InputError
from accessguard.inventory.lookup import get_account, get_person
from accessguard.inventory.models import Grant
from accessguard.inventory.records import end_grant_ids
from accessguard.inventory.validation import check_choice, check_text, optional_text
from accessguard.inventory.vocab import GRANT_VIAS


def add_grant(
    session: Session,
    clock: Clock,
    actor: str,
    *,
    person_email: str,
    account_ref: str,
    role: str,
    via: str,
    expires_at: datetime | None = None,
    reason: str | None = None,
    ticket: str | None = None,
) -> Grant:
    """Record that a person holds a role on an account; refuses an identical active grant."""
    person = get_person(session, person_email)
    account = get_account(session, account_ref)
    via = check_choice(via, GRANT_VIAS, "via")
    role = check_text(role, "role", max_length=60).lower()
    if not role:
        raise InputError("role: must not be empty")
    if person.status == "departed":
        raise ConflictError(f"{person.email} has departed; refusing to grant access")
    existing = session.execute(
        select(Grant).where(
            Grant.person_id == person.id,
            Grant.account_id == account.id,
            Grant.role == role,
            Grant.via == via,
            Grant.revoked_at.is_(None),
        )
    ).scalar_one_or_none()
    if existing is not None:
        raise ConflictError(f"{person.email} already holds {role} on {account.name} via {via}")
    now = clock.now()
    if expires_at is not None and expires_at <= now:
        raise InputError("expires: must be in the future")
    reason = optional_text(reason, "reason", max_length=2000, multiline=True)
    ticket = optional_text(ticket, "ticket", max_length=120)
    grant = Grant(
        person_id=person.id,
        account_id=account.id,
        role=role,
        via=via,
        granted_at=now,
        granted_by=actor,
        reason=reason,
        ticket=ticket,
        expires_at=expires_at,
    )
    session.add(grant)
    session.flush()
    record(
        session,
        clock,
        actor=actor,
        action="grant.add",
        target_type="grant",
        target=f"{person.email}@{account.name}",
        details={
            "grant_id": grant.id,
            "role": role,
            "via": via,
            "reason": reason,
            "ticket": ticket,
        },
    )
    return grant


_REVOKE_FIELDS = ("revoked_at", "revoked_by", "revoke_reason", "revoked_run_id")


def end_grants(
    session: Session,
    clock: Clock,
    actor: str,
    grants: Sequence[Grant],
    *,
    reason: str,
    run_id: str | None = None,
) -> list[bool]:
    """``end_grant_ids`` for loaded grants, which then read as revoked; per grant, False if it already was."""
    from sqlalchemy.orm.attributes import set_committed_value

    ended = end_grant_ids(
        session, clock, actor, [g.id for g in grants], reason=reason, run_id=run_id
    )
    for grant in grants:
        if grant.id in ended:
            stamp = (ended[grant.id], actor, reason, run_id)
            for field, value in zip(_REVOKE_FIELDS, stamp, strict=True):
                set_committed_value(grant, field, value)
    return [grant.id in ended for grant in grants]


def end_grant(
    session: Session,
    clock: Clock,
    actor: str,
    grant: Grant,
    *,
    reason: str,
    run_id: str | None = None,
) -> bool:
    """Stamp one grant revoked; False if it already was (idempotent)."""
    return end_grants(session, clock, actor, [grant], reason=reason, run_id=run_id)[0]


def revoke_grants(
    session: Session,
    clock: Clock,
    actor: str,
    *,
    person_email: str,
    account_ref: str,
    reason: str,
    role: str | None = None,
    run_id: str | None = None,
) -> list[Grant]:
    """End every active grant the person holds on the account (optionally one role)."""
    reason = check_text(reason, "reason", max_length=2000, multiline=True)
    if not reason:
        raise InputError("reason: must not be empty")
    person = get_person(session, person_email)
    account = get_account(session, account_ref)
    query = select(Grant).where(
        Grant.person_id == person.id, Grant.account_id == account.id, Grant.revoked_at.is_(None)
    )
    if role:
        query = query.where(Grant.role == role.lower())
    grants = list(session.execute(query).scalars())
    end_grants(session, clock, actor, grants, reason=reason, run_id=run_id)
    return grants
