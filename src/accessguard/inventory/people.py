"""People: add, update, list, mark leaving. Every change is audited in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.errors import ConflictError
from accessguard.inventory.lookup import find_person, get_person
from accessguard.inventory.models import Person
from accessguard.inventory.records import audit_person_update, person_diff
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
            from accessguard.errors import InputError

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
    session: Session, clock: Clock, actor: str, data: PersonInput, *, source: str = "manual"
) -> Person:
    """Create a person; ConflictError if the email exists."""
    data = data.validated()
    if find_person(session, data.email) is not None:
        raise ConflictError(
            f"a person with email {data.email!r} already exists",
            hint="use `accessguard people show` or `people import` to update",
        )
    now = clock.now()
    person = Person(
        email=data.email,
        name=data.name,
        department=data.department,
        manager_email=data.manager_email,
        kind=data.kind,
        status=data.status,
        end_date=data.end_date,
        source=source,
        created_at=now,
        updated_at=now,
    )
    session.add(person)
    session.flush()
    record(
        session,
        clock,
        actor=actor,
        action="person.add",
        target_type="person",
        target=person.email,
        details={"after": person.to_dict()},
    )
    return person


def update_person(
    session: Session, clock: Clock, actor: str, person: Person, changes: dict[str, Any]
) -> dict[str, Any]:
    """Apply ``changes`` (field -> value) and audit them; returns {field: [before, after]}."""
    diff = person_diff(person, changes)
    for field_name in diff:
        setattr(person, field_name, changes[field_name])
    if diff:
        person.updated_at = clock.now()
        session.flush()
        audit_person_update(session, clock, actor, person.email, diff)
    return diff


def mark_leaving(session: Session, clock: Clock, actor: str, email: str, on: date) -> Person:
    """Set the end date and mark the person leaving (departed if the date has passed)."""
    person = get_person(session, email)
    status = "departed" if on < clock.now().date() else "leaving"
    if person.status == "departed" and status == "leaving":
        status = "departed"
    update_person(session, clock, actor, person, {"end_date": on, "status": status})
    return person


def list_people(
    session: Session, *, status: str | None = None, kind: str | None = None
) -> Sequence[Person]:
    """People ordered by email, optionally filtered."""
    query = select(Person).order_by(Person.email)
    if status:
        query = query.where(Person.status == status)
    if kind:
        query = query.where(Person.kind == kind)
    return session.execute(query).scalars().all()
