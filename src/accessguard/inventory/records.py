"""The inventory as frozen records, read and written with Core statements on ``db/tables/``.

One lookup per thing (a person by email, an account by name or ``platform:handle``),
the stable JSON shapes, and the set-based reads and writes the offboarding path runs.
Functions take the caller's connection and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, func, select, update

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import Event, record_many
from accessguard.clock import Clock
from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import grants as _GRANTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.inventory.suggestions import account_not_found, person_not_found
from accessguard.inventory.vocab import is_admin_role


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively."""
    return email.strip().lower()


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person: someone who can hold access; the email is the key."""

    id: int
    email: str
    name: str
    department: str | None
    manager_email: str | None
    kind: str
    status: str
    end_date: date | None
    source: str
    personal_email: str | None = None
    personal_phone: str | None = None


_PERSON_COLUMNS = [_PEOPLE.c[name] for name in PersonRecord.__slots__]


def person_query() -> Select[Any]:
    """``SELECT`` of the people columns a ``PersonRecord`` holds (add WHERE, ORDER BY)."""
    return select(*_PERSON_COLUMNS)


def find_person_record(conn: Connection, email: str) -> PersonRecord | None:
    """The person with ``email``, or None."""
    row = conn.execute(person_query().where(_PEOPLE.c.email == normalise_email(email))).first()
    return PersonRecord(*row) if row is not None else None


def get_person_record(conn: Connection, email: str) -> PersonRecord:
    """The person with ``email``; NotFoundError with a hint otherwise."""
    person = find_person_record(conn, email)
    if person is None:
        raise person_not_found(conn, email)
    return person


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """A brand account on a platform; ``name`` is the slug used in commands and Vault paths.

    An archived account (``archived_at`` set) keeps its history but is out of service.
    """

    id: int
    name: str
    platform: str
    handle: str
    display_name: str | None
    owner_id: int | None
    criticality: str
    recovery_email: str | None
    recovery_email_company: bool | None
    recovery_phone: str | None
    recovery_phone_company: bool | None
    connector: str | None
    settings: dict[str, Any]
    tags: list[str]
    archived_at: datetime | None = None


_ACCOUNT_COLUMNS = [_ACCOUNTS.c[name] for name in AccountRecord.__slots__]


def account_query() -> Select[Any]:
    """``SELECT`` of the account columns an ``AccountRecord`` holds (add WHERE, ORDER BY)."""
    return select(*_ACCOUNT_COLUMNS)


def find_account_record(conn: Connection, ref: str) -> AccountRecord | None:
    """An account by its name or by ``platform:handle``, any case (archived ones too)."""
    accounts = _ACCOUNTS.c
    ref = ref.strip()
    # Names are stored lower-case; the lower() match also finds a row written otherwise.
    row = conn.execute(account_query().where(accounts.name == ref.lower())).first()
    if row is None:
        row = conn.execute(account_query().where(func.lower(accounts.name) == ref.lower())).first()
    if row is None and ":" in ref:
        platform, _, handle = ref.partition(":")
        on_platform = account_query().where(accounts.platform == platform.lower())
        row = conn.execute(on_platform.where(accounts.handle == handle)).first()
        if row is None:
            row = conn.execute(
                on_platform.where(func.lower(accounts.handle) == handle.lower())
            ).first()
    return AccountRecord(*row) if row is not None else None


def get_account_record(conn: Connection, ref: str) -> AccountRecord:
    """An account by name or ``platform:handle``; NotFoundError with a hint otherwise."""
    account = find_account_record(conn, ref)
    if account is None:
        raise account_not_found(conn, ref)
    return account


@dataclass(frozen=True, slots=True)
class GrantRecord:
    """Person x account x role via a channel; revoking stamps it, rows are never deleted."""

    id: int
    person_id: int
    account_id: int
    role: str
    via: str
    granted_at: datetime
    granted_by: str
    reason: str | None
    ticket: str | None
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None
    revoke_reason: str | None
    revoked_run_id: str | None
    revoke_pending_at: datetime | None = None
    revoke_pending_reason: str | None = None
    revoke_pending_run: str | None = None
    removal_confirmed_at: datetime | None = None

    @property
    def active(self) -> bool:
        """True until the grant is revoked (a revoke-pending grant is still active)."""
        return self.revoked_at is None

    @property
    def is_admin(self) -> bool:
        """True when the role administers the account."""
        return is_admin_role(self.role)


_GRANT_COLUMNS = [_GRANTS.c[name] for name in GrantRecord.__slots__]


def grant_records(
    conn: Connection, where: ColumnElement[bool], *, order_by: ColumnElement[Any] | None = None
) -> list[GrantRecord]:
    """The grants matching the ``where`` clause (on ``db.tables.grants``), by id unless told."""
    order = _GRANTS.c.id if order_by is None else order_by
    query = select(*_GRANT_COLUMNS).where(where).order_by(order)
    return [GrantRecord(*row) for row in conn.execute(query)]


def person_to_dict(person: Any) -> dict[str, Any]:
    """The stable JSON shape of a person (a ``PersonRecord`` or a row with its fields)."""
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


def account_to_dict(account: AccountRecord, owner_email: str | None) -> dict[str, Any]:
    """The stable JSON shape of an account (its owner's email passed in)."""
    return {
        "name": account.name,
        "platform": account.platform,
        "handle": account.handle,
        "display_name": account.display_name,
        "owner": owner_email,
        "criticality": account.criticality,
        "recovery_email": account.recovery_email,
        "recovery_email_company": account.recovery_email_company,
        "recovery_phone": account.recovery_phone,
        "recovery_phone_company": account.recovery_phone_company,
        "connector": account.connector,
        "settings": account.settings or {},
        "tags": list(account.tags or []),
        "archived_at": account.archived_at.isoformat() if account.archived_at else None,
    }


def grant_to_dict(grant: Any, person: Any, account: Any) -> dict[str, Any]:
    """The stable JSON shape of a grant (records or rows: any objects with their fields)."""
    return grant_dict(
        grant,
        email=person.email,
        name=person.name,
        status=person.status,
        account=account.name,
        platform=account.platform,
    )


def grant_dict(
    grant: Any, *, email: str, name: str, status: str, account: str, platform: str
) -> dict[str, Any]:
    """``grant_to_dict`` from a grant row and the person's and account's fields."""

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
        "state": grant_state(grant),
        "revoke_pending_reason": grant.revoke_pending_reason,
        "revoke_pending_run": grant.revoke_pending_run,
        "removal_confirmed_at": iso(grant.removal_confirmed_at),
    }


def grant_state(grant: Any) -> str:
    """``ended``, ``revoke-pending`` (removal failed or waits: access may be live) or ``held``."""
    if grant.revoked_at is not None:
        return "ended"
    return "revoke-pending" if grant.revoke_pending_at is not None else "held"


@dataclass(frozen=True, slots=True)
class HeldGrant:
    """An active grant as a planner reads it."""

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


def active_grants_for(conn: Connection, person_id: int) -> list[tuple[HeldGrant, HeldAccount]]:
    """The person's active grants with their accounts (for planners), in account order."""
    grants, accounts = _GRANTS.c, _ACCOUNTS.c
    rows = conn.execute(
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
    conn: Connection,
    clock: Clock,
    actor: str,
    grant_ids: Sequence[int],
    *,
    reason: str,
    run_id: str | None = None,
    removal_confirmed: bool = False,
) -> dict[int, datetime]:
    """Stamp these grants revoked, one audit event each; the ids this call ended, with when.

    ``removal_confirmed``: the platform removal of each was confirmed (stamped with it).

    Set-based (an offboarding ends hundreds): one read of the grants with their people
    and accounts, one UPDATE ... RETURNING (a grant that another writer ended meanwhile
    is left out), one append to the audit chain.
    """
    grants, people, accounts = _GRANTS.c, _PEOPLE.c, _ACCOUNTS.c
    wanted = list(dict.fromkeys(grant_ids))
    rows = {
        row.id: row
        for row in conn.execute(
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
        for (grant_id,) in conn.execute(
            update(_GRANTS)
            .where(grants.id.in_(list(rows)), grants.revoked_at.is_(None))
            .values(
                revoked_at=now,
                revoked_by=actor,
                revoke_reason=reason,
                revoked_run_id=run_id,
                removal_confirmed_at=now if removal_confirmed else None,
            )
            .returning(grants.id)
        )
    }
    events = []
    for grant_id in wanted:
        if grant_id in ended:
            row = rows[grant_id]
            details = {"grant_id": row.id, "role": row.role, "via": row.via, "reason": reason}
            target = f"{row.email}@{row.name}"
            events.append(Event(actor, AuditAction.GRANT_REVOKE, "grant", target, details, run_id))
    record_many(conn, clock, events)
    return ended


def existing_grant_ids(conn: Connection, grant_ids: Sequence[int]) -> set[int]:
    """Which of these grant ids still exist (ended or not)."""
    return set(conn.scalars(select(_GRANTS.c.id).where(_GRANTS.c.id.in_(list(grant_ids)))))
