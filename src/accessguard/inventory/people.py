"""People: add, list, mark leaving. Every change is audited in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.db.tables import people as _PEOPLE
from accessguard.errors import ConflictError, InputError
from accessguard.inventory.records import (
    PersonRecord,
    find_person_record,
    get_person_record,
    person_query,
    person_to_dict,
    update_person_record,
)
from accessguard.inventory.validation import (
    check_choice,
    check_email,
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
    }
    person_id = conn.execute(
        insert(_PEOPLE).values(**values, created_at=now, updated_at=now).returning(_PEOPLE.c.id)
    ).scalar_one()
    person = PersonRecord(id=person_id, **values)
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


def mark_leaving(conn: Connection, clock: Clock, actor: str, email: str, on: date) -> PersonRecord:
    """Set the end date and mark the person leaving (departed if the date has passed)."""
    person = get_person_record(conn, email)
    status = "departed" if on < clock.now().date() else "leaving"
    if person.status == "departed" and status == "leaving":
        status = "departed"
    update_person_record(conn, clock, actor, person, {"end_date": on, "status": status})
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
