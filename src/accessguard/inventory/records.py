"""The inventory as plain records, read and written with Core statements on ``db/tables.py``.

The offboarding path (planner, runner, actions) works on these and never loads the
ORM; the services that create and edit objects use the models (people.py, grants.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update

from accessguard.audit.chain import Event, record, record_many
from accessguard.clock import Clock
from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import grants as _GRANTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.db.types import Executor
from accessguard.errors import NotFoundError
from accessguard.inventory.vocab import is_admin_role


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively."""
    return email.strip().lower()


def person_not_found(email: str) -> NotFoundError:
    """The error for an email nobody in the inventory has, with the fix."""
    return NotFoundError(
        f"no person with email {email!r}",
        hint="see `accessguard people list`, or add them with `accessguard people add`",
        code="person-not-found",
    )


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person as the offboarding path reads it (plain values, not an ORM object)."""

    id: int
    email: str
    name: str
    department: str | None
    manager_email: str | None
    kind: str
    status: str
    end_date: date | None
    source: str


_PERSON_COLUMNS = [_PEOPLE.c[name] for name in PersonRecord.__slots__]


def find_person_record(session: Executor, email: str) -> PersonRecord | None:
    """The person with ``email``, or None."""
    row = session.execute(
        select(*_PERSON_COLUMNS).where(_PEOPLE.c.email == normalise_email(email))
    ).first()
    return PersonRecord(*row) if row is not None else None


def get_person_record(session: Executor, email: str) -> PersonRecord:
    """The person with ``email``; NotFoundError with a hint otherwise."""
    person = find_person_record(session, email)
    if person is None:
        raise person_not_found(email)
    return person


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """An account as a lookup by name reads it (plain values)."""

    id: int
    name: str
    platform: str
    handle: str


def account_not_found(ref: str) -> NotFoundError:
    """The error for an account reference that names none, with the fix."""
    return NotFoundError(
        f"no account {ref!r}",
        hint="see `accessguard accounts list`; accounts are named by their name or platform:handle",
        code="account-not-found",
    )


def find_account_record(session: Executor, ref: str) -> AccountRecord | None:
    """An account by its name, or by ``platform:handle``."""
    accounts = _ACCOUNTS.c
    columns = select(accounts.id, accounts.name, accounts.platform, accounts.handle)
    ref = ref.strip()
    row = session.execute(columns.where(accounts.name == ref)).first()
    if row is None and ":" in ref:
        platform, _, handle = ref.partition(":")
        row = session.execute(
            columns.where(accounts.platform == platform, accounts.handle == handle)
        ).first()
    return AccountRecord(*row) if row is not None else None


def get_account_record(session: Executor, ref: str) -> AccountRecord:
    """An account by name or ``platform:handle``; NotFoundError with a hint otherwise."""
    account = find_account_record(session, ref)
    if account is None:
        raise account_not_found(ref)
    return account


def person_to_dict(person: Any) -> dict[str, Any]:
    """The stable JSON shape of a person (a ``Person`` or a ``PersonRecord``)."""
    return {
        "email": person.email,
        "name": person.name,
        "department": person.department,
        "manager": person.manager_email,
        "kind": person.kind,
        "status": person.status,
        "end_date": person.end_date.isoformat() if person.end_date else None,
        "source": person.source,
    }


def person_diff(person: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """The fields ``changes`` would alter: {field: [before, after]} (dates as ISO text)."""

    def text(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    return {
        name: [text(getattr(person, name)), text(value)]
        for name, value in changes.items()
        if getattr(person, name) != value
    }


def audit_person_update(
    session: Executor, clock: Clock, actor: str, email: str, diff: dict[str, Any]
) -> None:
    """The audit event of a person's changed fields."""
    record(
        session,
        clock,
        actor=actor,
        action="person.update",
        target_type="person",
        target=email,
        details={"changes": diff},
    )


def update_person_record(
    session: Executor, clock: Clock, actor: str, person: PersonRecord, changes: dict[str, Any]
) -> dict[str, Any]:
    """Apply ``changes`` (field -> value) with one UPDATE and audit them; {field: [before, after]}."""
    diff = person_diff(person, changes)
    if diff:
        values = {name: changes[name] for name in diff}
        session.execute(
            update(_PEOPLE)
            .where(_PEOPLE.c.id == person.id)
            .values(**values, updated_at=clock.now())
        )
        audit_person_update(session, clock, actor, person.email, diff)
    return diff


@dataclass(frozen=True, slots=True)
class HeldGrant:
    """An active grant as a planner reads it (plain values, not an ORM object)."""

    id: int
    account_id: int
    role: str
    via: str

    @property
    def is_admin(self) -> bool:
        """True when the role administers the account."""
        return is_admin_role(self.role)


@dataclass(frozen=True, slots=True)
class HeldAccount:
    """The account of a ``HeldGrant``."""

    id: int
    name: str
    platform: str
    handle: str
    owner_id: int | None


def active_grants_for(session: Executor, person_id: int) -> list[tuple[HeldGrant, HeldAccount]]:
    """The person's active grants with their accounts (for planners), in account order."""
    grants, accounts = _GRANTS.c, _ACCOUNTS.c
    rows = session.execute(
        select(
            grants.id,
            grants.account_id,
            grants.role,
            grants.via,
            accounts.name,
            accounts.platform,
            accounts.handle,
            accounts.owner_id,
        )
        .join(_ACCOUNTS, accounts.id == grants.account_id)
        .where(grants.person_id == person_id, grants.revoked_at.is_(None))
        .order_by(accounts.name, grants.id)
    )
    return [
        (
            HeldGrant(row.id, row.account_id, row.role, row.via),
            HeldAccount(row.account_id, row.name, row.platform, row.handle, row.owner_id),
        )
        for row in rows
    ]


def end_grant_ids(
    session: Executor,
    clock: Clock,
    actor: str,
    grant_ids: Sequence[int],
    *,
    reason: str,
    run_id: str | None = None,
) -> dict[int, datetime]:
    """Stamp these grants revoked, one audit event each; the ids this call ended, with when.

    Set-based (an offboarding ends hundreds): one read of the grants with their people
    and accounts, one UPDATE ... RETURNING (a grant that another writer ended meanwhile
    is left out), one append to the audit chain.
    """
    grants, people, accounts = _GRANTS.c, _PEOPLE.c, _ACCOUNTS.c
    wanted = list(dict.fromkeys(grant_ids))
    rows = {
        row.id: row
        for row in session.execute(
            select(grants.id, grants.role, grants.via, people.email, accounts.name)
            .join(_PEOPLE, people.id == grants.person_id)
            .join(_ACCOUNTS, accounts.id == grants.account_id)
            .where(grants.id.in_(wanted), grants.revoked_at.is_(None))
        )
    }
    if not rows:
        return {}
    now = clock.now()
    ended = {
        grant_id: now
        for (grant_id,) in session.execute(
            update(_GRANTS)
            .where(grants.id.in_(list(rows)), grants.revoked_at.is_(None))
            .values(revoked_at=now, revoked_by=actor, revoke_reason=reason, revoked_run_id=run_id)
            .returning(grants.id)
        )
    }
    events = []
    for grant_id in wanted:
        if grant_id in ended:
            row = rows[grant_id]
            details = {"grant_id": row.id, "role": row.role, "via": row.via, "reason": reason}
            target = f"{row.email}@{row.name}"
            events.append(Event(actor, "grant.revoke", "grant", target, details, run_id))
    record_many(session, clock, events)
    return ended


def existing_grant_ids(session: Executor, grant_ids: Sequence[int]) -> set[int]:
    """Which of these grant ids still exist (ended or not)."""
    return set(session.scalars(select(_GRANTS.c.id).where(_GRANTS.c.id.in_(list(grant_ids)))))


def grant_to_dict(grant: Any, person: Any, account: Any) -> dict[str, Any]:
    """The stable JSON shape of a grant (models or rows: any objects with their fields)."""
    return _grant_dict(
        grant, person.email, person.name, person.status, account.name, account.platform
    )


def _grant_dict(
    grant: Any, email: str, name: str, status: str, account: str, platform: str
) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": grant.id,
        "person": email,
        "person_name": name,
        "person_status": status,
        "account": account,
        "platform": platform,
        "role": grant.role,
        "via": grant.via,
        "granted_at": iso(grant.granted_at),
        "granted_by": grant.granted_by,
        "reason": grant.reason,
        "ticket": grant.ticket,
        "expires_at": iso(grant.expires_at),
        "revoked_at": iso(grant.revoked_at),
        "revoked_by": grant.revoked_by,
        "revoke_reason": grant.revoke_reason,
        "revoked_run_id": grant.revoked_run_id,
        "active": grant.revoked_at is None,
    }


def who_has(session: Executor, account_ref: str, *, history: bool = False) -> list[dict[str, Any]]:
    """Grants on an account (active only unless ``history``), as dicts."""
    account = get_account_record(session, account_ref)
    grants, people = _GRANTS.c, _PEOPLE.c
    query = (
        select(
            _GRANTS,
            people.email,
            people.name.label("person_name"),
            people.status.label("person_status"),
        )
        .join(_PEOPLE, people.id == grants.person_id)
        .where(grants.account_id == account.id)
        .order_by(people.email, grants.role, grants.id)
    )
    if not history:
        query = query.where(grants.revoked_at.is_(None))
    return [
        _grant_dict(r, r.email, r.person_name, r.person_status, account.name, account.platform)
        for r in session.execute(query)
    ]


def holdings(
    session: Executor, person_email: str, *, history: bool = False
) -> list[dict[str, Any]]:
    """Grants a person holds (active only unless ``history``), as dicts."""
    person = get_person_record(session, person_email)
    grants, accounts = _GRANTS.c, _ACCOUNTS.c
    query = (
        select(_GRANTS, accounts.name.label("account_name"), accounts.platform)
        .join(_ACCOUNTS, accounts.id == grants.account_id)
        .where(grants.person_id == person.id)
        .order_by(accounts.name, grants.role, grants.id)
    )
    if not history:
        query = query.where(grants.revoked_at.is_(None))
    return [
        _grant_dict(r, person.email, person.name, person.status, r.account_name, r.platform)
        for r in session.execute(query)
    ]
