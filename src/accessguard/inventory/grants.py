"""Grants: give, end (stamped, never deleted), and the who-has and holdings views.

The set-based reads and the ending of many grants at once are in ``records.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Connection, bindparam, func, insert, or_, select, update

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import Event, record, record_many
from accessguard.clock import Clock
from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import grants as _GRANTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.errors import ConflictError, InputError
from accessguard.inventory.records import (
    GrantRecord,
    end_grant_ids,
    get_account_record,
    get_person_record,
    grant_dict,
    grant_records,
)
from accessguard.inventory.validation import check_choice, check_text, optional_text
from accessguard.inventory.vocab import GRANT_VIAS


def add_grant(
    conn: Connection,
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
) -> GrantRecord:
    """Record that a person holds a role on an account; refuses an identical active grant."""
    person = get_person_record(conn, person_email)
    account = get_account_record(conn, account_ref)
    via = check_choice(via, GRANT_VIAS, "via")
    role = check_text(role, "role", max_length=60).lower()
    if not role:
        raise InputError("role: must not be empty")
    if person.status == "departed":
        raise ConflictError(f"{person.email} has departed; refusing to grant access")
    if account.archived_at is not None:
        raise ConflictError(
            f"{account.name} is archived; refusing to grant access",
            hint="an archived account takes no new grants; see `accessguard accounts list`",
            code="account-archived",
        )
    grants = _GRANTS.c
    existing = conn.execute(
        select(grants.id).where(
            grants.person_id == person.id,
            grants.account_id == account.id,
            grants.role == role,
            grants.via == via,
            grants.revoked_at.is_(None),
        )
    ).first()
    if existing is not None:
        raise ConflictError(f"{person.email} already holds {role} on {account.name} via {via}")
    now = clock.now()
    if expires_at is not None and expires_at <= now:
        raise InputError("expires: must be in the future")
    reason = optional_text(reason, "reason", max_length=2000, multiline=True)
    ticket = optional_text(ticket, "ticket", max_length=120)
    values: dict[str, Any] = {
        "person_id": person.id,
        "account_id": account.id,
        "role": role,
        "via": via,
        "granted_at": now,
        "granted_by": actor,
        "reason": reason,
        "ticket": ticket,
        "expires_at": expires_at,
        "last_used_at": None,
        "revoked_at": None,
        "revoked_by": None,
        "revoke_reason": None,
        "revoked_run_id": None,
        "revoke_pending_at": None,
        "revoke_pending_reason": None,
        "revoke_pending_run": None,
        "removal_confirmed_at": None,
    }
    grant_id = conn.execute(insert(_GRANTS).values(**values).returning(grants.id)).scalar_one()
    record(
        conn,
        clock,
        actor=actor,
        action=AuditAction.GRANT_ADD,
        target_type="grant",
        target=f"{person.email}@{account.name}",
        details={
            "grant_id": grant_id,
            "role": role,
            "via": via,
            "reason": reason,
            "ticket": ticket,
        },
    )
    return GrantRecord(id=grant_id, **values)


def mark_revoke_pending(
    conn: Connection,
    clock: Clock,
    actor: str,
    reasons: Mapping[int, str],
    *,
    run_id: str,
) -> set[int]:
    """Mark these active grants revoke-pending with their reasons; the ids whose mark changed.

    The grant stays active (its access may still be live on the platform) until a run
    confirms the removal and ends it. One audit event per grant newly marked or with a
    new reason; marking again with the same reason and run changes nothing.
    """
    grants, people, accounts = _GRANTS.c, _PEOPLE.c, _ACCOUNTS.c
    if not reasons:
        return set()
    rows = conn.execute(
        select(
            grants.id,
            grants.role,
            grants.revoke_pending_reason,
            grants.revoke_pending_run,
            people.email,
            accounts.name,
        )
        .join(_PEOPLE, people.id == grants.person_id)
        .join(_ACCOUNTS, accounts.id == grants.account_id)
        .where(grants.id.in_(list(reasons)), grants.revoked_at.is_(None))
    ).all()
    changed = [
        r
        for r in rows
        if (r.revoke_pending_reason, r.revoke_pending_run) != (reasons[r.id], run_id)
    ]
    if not changed:
        return set()
    now = clock.now()
    conn.execute(
        update(_GRANTS)
        .where(grants.id == bindparam("gid"), grants.revoked_at.is_(None))
        .values(
            revoke_pending_at=func.coalesce(grants.revoke_pending_at, now),
            revoke_pending_reason=bindparam("why"),
            revoke_pending_run=run_id,
        ),
        [{"gid": r.id, "why": reasons[r.id]} for r in changed],
    )
    record_many(
        conn,
        clock,
        [
            Event(
                actor,
                AuditAction.GRANT_REVOKE_PENDING,
                "grant",
                f"{r.email}@{r.name}",
                {"grant_id": r.id, "role": r.role, "reason": reasons[r.id]},
                run_id,
            )
            for r in changed
        ],
    )
    return {r.id for r in changed}


def revoke_pending_count(conn: Connection, person_id: int) -> int:
    """How many of the person's grants are held revoke-pending (removal not confirmed)."""
    grants = _GRANTS.c
    query = select(func.count(grants.id)).where(
        grants.person_id == person_id,
        grants.revoked_at.is_(None),
        grants.revoke_pending_at.is_not(None),
    )
    return int(conn.scalar(query) or 0)


def record_use(conn: Connection, *, person_id: int, account_id: int, at: datetime) -> int:
    """Stamp ``last_used_at`` on the person's active shared-login grants of the account.

    Called when the person reveals the account's login or takes a code of its seed:
    the use data the ``stale-grant`` finding reads. Returns how many grants it stamped.
    """
    grants = _GRANTS.c
    result = conn.execute(
        update(_GRANTS)
        .where(
            grants.person_id == person_id,
            grants.account_id == account_id,
            grants.via == "shared-login",
            grants.revoked_at.is_(None),
            or_(grants.last_used_at.is_(None), grants.last_used_at < at),
        )
        .values(last_used_at=at)
    )
    return int(result.rowcount or 0)


class Identified(Protocol):
    """What ``end_grants`` reads of a grant: its id (a ``GrantRecord`` or any record with one)."""

    @property
    def id(self) -> int: ...


def end_grants(
    conn: Connection,
    clock: Clock,
    actor: str,
    grants: Sequence[Identified],
    *,
    reason: str,
    run_id: str | None = None,
) -> list[bool]:
    """``end_grant_ids`` for these grants; per grant, True if this call ended it.

    The grants passed in are not changed: read them again for their revocation stamp.
    """
    ended = end_grant_ids(conn, clock, actor, [g.id for g in grants], reason=reason, run_id=run_id)
    return [grant.id in ended for grant in grants]


def end_grant(
    conn: Connection,
    clock: Clock,
    actor: str,
    grant: Identified,
    *,
    reason: str,
    run_id: str | None = None,
) -> bool:
    """Stamp one grant revoked; False if it already was (idempotent)."""
    return end_grants(conn, clock, actor, [grant], reason=reason, run_id=run_id)[0]


def revoke_grants(
    conn: Connection,
    clock: Clock,
    actor: str,
    *,
    person_email: str,
    account_ref: str,
    reason: str,
    role: str | None = None,
    run_id: str | None = None,
) -> list[GrantRecord]:
    """End every active grant the person holds on the account (optionally one role).

    Returns those grants as they are now, stamped revoked.
    """
    reason = check_text(reason, "reason", max_length=2000, multiline=True)
    if not reason:
        raise InputError("reason: must not be empty")
    person = get_person_record(conn, person_email)
    account = get_account_record(conn, account_ref)
    grants = _GRANTS.c
    where = (
        (grants.person_id == person.id)
        & (grants.account_id == account.id)
        & grants.revoked_at.is_(None)
    )
    if role:
        where = where & (grants.role == role.lower())
    ids = [grant.id for grant in grant_records(conn, where)]
    end_grant_ids(conn, clock, actor, ids, reason=reason, run_id=run_id)
    return grant_records(conn, grants.id.in_(ids)) if ids else []


def _grant_dicts(
    conn: Connection, where: ColumnElement[bool], *, order: Sequence[Any], history: bool
) -> list[dict[str, Any]]:
    """The grants matching ``where`` (active only unless ``history``), with their person and account."""
    grants, people, accounts = _GRANTS.c, _PEOPLE.c, _ACCOUNTS.c
    query = (
        select(
            _GRANTS,
            people.email,
            people.name.label("person_name"),
            people.status.label("person_status"),
            accounts.name.label("account_name"),
            accounts.platform,
        )
        .join(_PEOPLE, people.id == grants.person_id)
        .join(_ACCOUNTS, accounts.id == grants.account_id)
        .where(where)
        .order_by(*order)
    )
    if not history:
        query = query.where(grants.revoked_at.is_(None))
    return [
        grant_dict(
            r,
            email=r.email,
            name=r.person_name,
            status=r.person_status,
            account=r.account_name,
            platform=r.platform,
        )
        for r in conn.execute(query)
    ]


def who_has(conn: Connection, account_ref: str, *, history: bool = False) -> list[dict[str, Any]]:
    """Grants on an account (active only unless ``history``), as dicts."""
    account = get_account_record(conn, account_ref)
    order = (_PEOPLE.c.email, _GRANTS.c.role, _GRANTS.c.id)
    return _grant_dicts(conn, _GRANTS.c.account_id == account.id, order=order, history=history)


def holdings(conn: Connection, person_email: str, *, history: bool = False) -> list[dict[str, Any]]:
    """Grants a person holds (active only unless ``history``), as dicts."""
    person = get_person_record(conn, person_email)
    order = (_ACCOUNTS.c.name, _GRANTS.c.role, _GRANTS.c.id)
    return _grant_dicts(conn, _GRANTS.c.person_id == person.id, order=order, history=history)
