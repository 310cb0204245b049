"""HR feed rows: the columns, one row parsed and checked, and the values it asks for.

Only ``email`` and ``name`` are required; ``personal_email`` and ``personal_phone`` are
personal data (matched against accounts' recovery channels, never listed nor audited). A column left out of the file leaves that
field as recorded; a blank ``kind``, ``status`` or ``end_date`` keeps what is recorded
too, while a blank ``department`` or ``manager`` clears it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from accessguard.inventory.csvinput import Problems, Row, optional_value, required_value
from accessguard.inventory.personal import PERSONAL_FIELDS
from accessguard.inventory.records import PersonRecord
from accessguard.inventory.validation import (
    check_choice,
    check_email,
    check_phone,
    check_text,
    optional_text,
    parse_date,
)
from accessguard.inventory.vocab import PERSON_KINDS, PERSON_STATUSES

PEOPLE_COLUMNS = ("email", "name")
PEOPLE_OPTIONAL = (
    "department",
    "manager",
    "kind",
    "status",
    "end_date",
    "start_date",
    "personal_email",
    "personal_phone",
)
#: Other names ``--map`` accepts for a field.
FIELD_ALIASES = {
    "leave_date": "end_date",
    "termination_date": "end_date",
    "hire_date": "start_date",
}


@dataclass(frozen=True)
class PersonRow:
    """One valid feed row; ``present`` names the columns the file has."""

    line: int
    email: str
    name: str
    department: str | None
    manager: str | None
    kind: str | None
    status: str | None
    end_date: date | None
    start_date: date | None
    present: frozenset[str]
    personal_email: str | None = None
    personal_phone: str | None = None


def parse_person(problems: Problems, row: Row) -> PersonRow | None:
    """The row's values checked; each problem recorded as ``file:row:column``."""
    before = len(problems.items)
    email = problems.check(row, "email", check_email)
    name = problems.check(
        row, "name", lambda v: required_value("name")(check_text(v, "name", max_length=200))
    )
    department = problems.check(
        row, "department", lambda v: optional_text(v, "department", max_length=120)
    )
    manager = problems.check(row, "manager", optional_value(lambda v: check_email(v, "manager")))
    kind = problems.check(
        row, "kind", optional_value(lambda v: check_choice(v, PERSON_KINDS, "kind"))
    )
    status = problems.check(
        row, "status", optional_value(lambda v: check_choice(v, PERSON_STATUSES, "status"))
    )
    end_date = problems.check(row, "end_date", optional_value(lambda v: parse_date(v, "end_date")))
    start_date = problems.check(
        row, "start_date", optional_value(lambda v: parse_date(v, "start_date"))
    )
    personal_email = problems.check(
        row, "personal_email", optional_value(lambda v: check_email(v, "personal_email"))
    )
    personal_phone = problems.check(
        row, "personal_phone", optional_value(lambda v: check_phone(v, "personal_phone"))
    )
    if len(problems.items) > before or email is None or name is None:
        return None
    if manager == email:
        problems.add(row.line, "manager", "a person cannot be their own manager")
        return None
    present = frozenset(c for c in row.values if c)
    return PersonRow(
        row.line,
        email,
        name,
        department,
        manager,
        kind,
        status,
        end_date,
        start_date,
        present,
        personal_email=personal_email,
        personal_phone=personal_phone,
    )


def wanted_person(row: PersonRow, existing: PersonRecord | None, day: date) -> dict[str, Any]:
    """The values the feed asks for (feed column -> value); what a row leaves out is kept."""
    status = row.status
    end_date = row.end_date
    if status is None and end_date is not None:
        status = "departed" if end_date < day else "leaving"
    if existing is None:
        return {
            "name": row.name,
            "department": row.department,
            "manager": row.manager,
            "kind": row.kind or "employee",
            "status": status or "active",
            "end_date": end_date,
            "personal_email": row.personal_email,
            "personal_phone": row.personal_phone,
        }
    wanted: dict[str, Any] = {
        "name": row.name,
        "department": row.department if "department" in row.present else existing.department,
        "manager": row.manager if "manager" in row.present else existing.manager_email,
        "kind": row.kind or existing.kind,
        "status": status or existing.status,
        "end_date": end_date if end_date is not None else existing.end_date,
        "source": "hr-import",
    }
    for name in PERSONAL_FIELDS:  # like department: a blank cell clears, no column keeps
        wanted[name] = getattr(row if name in row.present else existing, name)
    if row.status == "active" and row.end_date is None:
        wanted["end_date"] = None  # an explicit return to active cancels the leave
    return wanted
