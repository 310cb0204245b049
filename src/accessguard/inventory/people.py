"""People: add, list, mark leaving, rehire. Every change is audited in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, insert, select

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.db.tables import grants as _GRANTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.errors import ConflictError, InputError
from accessguard.inventory.employments import (
    close_current,
    employment_of_grant,
    employments_of,
    open_employment,
)
from accessguard.inventory.grants import holdings
from accessguard.inventory.person_writes import update_person_record
from accessguard.inventory.records import (
    PersonRecord,
    find_person_record,
    get_person_record,
    person_query,
    person_to_dict,
)
from accessguard.inventory.validation import (
    check_choice,
    check_email,
    check_phone,
    check_text,
    optional_text,
)
from accessguard.inventory.vocab import PERSON_KINDS, PERSON_STATUSES


@dataclass(frozen=True)
class PersonInput:
    """Validated fields for creating or updating a person."""

    email: str
    name: str
    department: str | None = None
    manager_email: str | None = None
    kind: str = "employee"
    status: str = "active"
    end_date: date | None = None
    start_date: date | None = None
    personal_email: str | None = None
    personal_phone: str | None = None

    def validated(self) -> PersonInput:
        """Return a normalised copy, raising InputError on a bad field."""
        name = check_text(self.name, "name", max_length=200)
        if not name:
            raise InputError("name: must not be empty")
        return PersonInput(
            email=check_email(self.email),
            name=name,
            department=optional_text(self.department, "department", max_length=120),
            manager_email=check_email(self.manager_email, "manager")
            if self.manager_email
            else None,
            kind=check_choice(self.kind, PERSON_KINDS, "kind"),
            status=check_choice(self.status, PERSON_STATUSES, "status"),
            end_date=self.end_date,
            start_date=self.start_date,
            personal_email=check_email(self.personal_email, "personal_email")
            if self.personal_email
            else None,
            personal_phone=check_phone(self.personal_phone, "personal_phone")
            if self.personal_phone
            else None,
        )


def add_person(
    conn: Connection, clock: Clock, actor: str, data: PersonInput, *, source: str = "manual"
) -> PersonRecord:
    """Create a person; ConflictError if the email exists."""
    data = data.validated()
    if find_person_record(conn, data.email) is not None:
        raise ConflictError(
            f"a person with email {data.email!r} already exists",
            hint="use `accessguard people show` or `people import` to update",
        )
    now = clock.now()
    values: dict[str, Any] = {
        "email": data.email,
        "name": data.name,
        "department": data.department,
        "manager_email": data.manager_email,
        "kind": data.kind,
        "status": data.status,
        "end_date": data.end_date,
        "source": source,
        "personal_email": data.personal_email,
        "personal_phone": data.personal_phone,
    }
    person_id = conn.execute(
        insert(_PEOPLE).values(**values, created_at=now, updated_at=now).returning(_PEOPLE.c.id)
    ).scalar_one()
    person = PersonRecord(id=person_id, **values)
    open_employment(
        conn,
        person_id,
        number=1,
        began_at=now,
        status=data.status,
        start_date=data.start_date,
        end_date=data.end_date,
    )
    record(
        conn,
        clock,
        actor=actor,
        action=AuditAction.PERSON_ADD,
        target_type="person",
        target=person.email,
        details={"after": person_to_dict(person)},
    )
    return person


def mark_leaving(
    conn: Connection, clock: Clock, actor: str, email: str, on: date, *, reason: str | None = None
) -> PersonRecord:
    """Set the end date and mark the person leaving (departed if the date has passed)."""
    person = get_person_record(conn, email)
    status = "departed" if on < clock.now().date() else "leaving"
    if person.status == "departed" and status == "leaving":
        status = "departed"
    update_person_record(
        conn, clock, actor, person, {"end_date": on, "status": status}, reason=reason
    )
    return replace(person, end_date=on, status=status)


def list_people(
    conn: Connection, *, status: str | None = None, kind: str | None = None
) -> list[PersonRecord]:
    """People ordered by email, optionally filtered."""
    query = person_query().order_by(_PEOPLE.c.email)
    if status:
        query = query.where(_PEOPLE.c.status == status)
    if kind:
        query = query.where(_PEOPLE.c.kind == kind)
    return [PersonRecord(*row) for row in conn.execute(query)]


def rehire(
    conn: Connection,
    clock: Clock,
    actor: str,
    email: str,
    *,
    start: date,
    end_date: date | None = None,
) -> PersonRecord:
    """Start a new employment for a departed person; the old one and its grants stay as history.

    Refused (ConflictError) unless the person has departed, holds no active grant (the
    offboarding must have finished) and ``start`` is after the recorded end date.
    """
    person = get_person_record(conn, email)
    if person.status != "departed":
        raise ConflictError(
            f"{person.email} is {person.status}, not departed; only a departed person is rehired",
            hint="a person who is still employed keeps their employment; see `people show`",
            code="not-departed",
        )
    held = conn.scalar(
        select(func.count())
        .select_from(_GRANTS)
        .where(_GRANTS.c.person_id == person.id, _GRANTS.c.revoked_at.is_(None))
    )
    if held:
        raise ConflictError(
            f"{person.email} still holds {held} grant(s) from the previous employment",
            hint="finish the offboarding first (`runs list`, `runs resume`); nothing was changed",
            code="rehire-holds-access",
        )
    if person.end_date is not None and start <= person.end_date:
        raise ConflictError(
            f"{person.email} left on {person.end_date.isoformat()}; a rehire must start after"
            f" that (start {start.isoformat()})",
            hint="give the new employment's first day, e.g. --start YYYY-MM-DD",
            code="rehire-before-departure",
        )
    if end_date is not None and end_date <= start:
        raise InputError(f"end_date: {end_date.isoformat()} is not after the start {start}")
    now = clock.now()
    previous = close_current(conn, person.id, at=now, by=actor)
    if previous is None and not employments_of(conn, person.id):
        # a person written without an employment row (raw SQL): record the one that ended
        open_employment(
            conn, person.id, number=1, began_at=now, status="departed", end_date=person.end_date
        )
        previous = close_current(conn, person.id, at=now, by=actor)
    number = employments_of(conn, person.id)[-1].number + 1
    status = "active" if end_date is None else "leaving"
    open_employment(
        conn,
        person.id,
        number=number,
        began_at=now,
        status=status,
        start_date=start,
        end_date=end_date,
    )
    conn.execute(
        _PEOPLE.update()
        .where(_PEOPLE.c.id == person.id)
        .values(status=status, end_date=end_date, updated_at=now)
    )
    record(
        conn,
        clock,
        actor=actor,
        action=AuditAction.PERSON_REHIRE,
        target_type="person",
        target=person.email,
        details={
            "employment": number,
            "start_date": start.isoformat(),
            "end_date": end_date.isoformat() if end_date else None,
            "previous": previous.to_dict() if previous else None,
        },
    )
    return replace(person, status=status, end_date=end_date)


def employment_history(conn: Connection, email: str) -> dict[str, Any]:
    """The person with each employment and the grants held during it (revoked ones too)."""
    person = get_person_record(conn, email)
    employments = employments_of(conn, person.id)
    shown = [e.to_dict() | {"grants": []} for e in employments]
    by_number = {e["number"]: e for e in shown}
    for grant in holdings(conn, person.email, history=True):
        number = employment_of_grant(employments, grant["id"])
        if number in by_number:
            by_number[number]["grants"].append(grant)
    return person_to_dict(person) | {"employments": shown}
