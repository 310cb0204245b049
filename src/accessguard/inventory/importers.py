"""CSV imports (HR feed, accounts, grants): validate every row, plan, then apply the plan.

Each import is all or nothing: any bad row raises one ``CsvInputError`` naming
``file:row:column`` before anything is written. ``dry_run`` returns the same plan
without writing. Writes go through the audited services in people/accounts/grants.
The HR feed lives here; accounts and grants in their own modules, re-exported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from accessguard.clock import Clock, today
from accessguard.inventory.account_import import import_accounts
from accessguard.inventory.csvinput import (
    Change,
    Problems,
    Row,
    iso,
    optional_value,
    read_rows,
    required_value,
)
from accessguard.inventory.grant_import import import_grants
from accessguard.inventory.people import PersonInput, add_person, list_people
from accessguard.inventory.records import PersonRecord, update_person_record
from accessguard.inventory.validation import (
    check_choice,
    check_email,
    check_text,
    optional_text,
    parse_date,
)
from accessguard.inventory.vocab import PERSON_KINDS, PERSON_STATUSES

__all__ = ["Change", "import_accounts", "import_grants", "import_people"]

PEOPLE_COLUMNS = ("email", "name", "department", "manager", "kind", "status", "end_date")
# CSV column -> PersonRecord field
_PERSON_ATTRS = {"manager": "manager_email"}


@dataclass(frozen=True)
class _PersonRow:
    line: int
    email: str
    name: str
    department: str | None
    manager: str | None
    kind: str | None
    status: str | None
    end_date: date | None


def _parse_person(problems: Problems, row: Row) -> _PersonRow | None:
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
    if len(problems.items) > before or email is None or name is None:
        return None
    if manager == email:
        problems.add(row.line, "manager", "a person cannot be their own manager")
        return None
    return _PersonRow(row.line, email, name, department, manager, kind, status, end_date)


def _wanted_person(row: _PersonRow, existing: PersonRecord | None, day: date) -> dict[str, Any]:
    """The values the feed asks for. Blank kind/status/end_date keep what is recorded."""
    status = row.status
    end_date = row.end_date
    if status is None and end_date is not None:
        status = "departed" if end_date < day else "leaving"
        if existing is not None and existing.status == "departed":
            status = "departed"  # only an explicit status brings a departed person back
    if existing is None:
        return {
            "name": row.name,
            "department": row.department,
            "manager": row.manager,
            "kind": row.kind or "employee",
            "status": status or "active",
            "end_date": end_date,
        }
    wanted: dict[str, Any] = {
        "name": row.name,
        "department": row.department,
        "manager": row.manager,
        "kind": row.kind or existing.kind,
        "status": status or existing.status,
        "end_date": end_date if end_date is not None else existing.end_date,
        "source": "hr-import",
    }
    if row.status == "active" and row.end_date is None:
        wanted["end_date"] = None  # an explicit return to active cancels the leave
    return wanted


def _person_change(row: _PersonRow, existing: PersonRecord | None, day: date) -> Change | None:
    wanted = _wanted_person(row, existing, day)
    leaver = wanted["status"] in ("leaving", "departed")
    if existing is None:
        fields = {k: [None, iso(v)] for k, v in wanted.items()}
        return Change("person", "add", row.email, fields, row.line, "leaver" if leaver else None)
    fields = {}
    for column, value in wanted.items():
        before = getattr(existing, _PERSON_ATTRS.get(column, column))
        if before != value:
            fields[column] = [iso(before), iso(value)]
    if not fields:
        return None
    note = "leaver" if "status" in fields and leaver else None
    return Change("person", "update", row.email, fields, row.line, note)


def import_people(
    conn: Connection, clock: Clock, actor: str, path: Path, *, dry_run: bool = False
) -> list[Change]:
    """Apply the HR feed (adds, updates, leavers); all or nothing; returns the changes."""
    problems, rows = read_rows(path, required=PEOPLE_COLUMNS)
    parsed: list[_PersonRow] = []
    first_line: dict[str, int] = {}
    for row in rows:
        person = _parse_person(problems, row)
        if person is None:
            continue
        if person.email in first_line:
            problems.add(
                row.line,
                "email",
                f"{person.email} already appears on row {first_line[person.email]}",
            )
            continue
        first_line[person.email] = row.line
        parsed.append(person)
    existing = {p.email: p for p in list_people(conn)}
    for person in parsed:
        if person.manager and person.manager not in first_line and person.manager not in existing:
            problems.add(
                person.line,
                "manager",
                f"unknown manager {person.manager} (not in this file nor the inventory)",
            )
    problems.raise_if_any()
    day = today(clock)
    plan = [(c, p) for p in parsed if (c := _person_change(p, existing.get(p.email), day))]
    if not dry_run:
        for change, person_row in plan:
            _apply_person(conn, clock, actor, change, person_row, existing)
    return [change for change, _ in plan]


def _apply_person(
    conn: Connection,
    clock: Clock,
    actor: str,
    change: Change,
    row: _PersonRow,
    existing: dict[str, PersonRecord],
) -> None:
    if change.action == "add":
        v = {k: after for k, (_, after) in change.fields.items()}
        add_person(
            conn,
            clock,
            actor,
            PersonInput(
                email=row.email,
                name=v["name"],
                department=v["department"],
                manager_email=v["manager"],
                kind=v["kind"],
                status=v["status"],
                end_date=row.end_date,
            ),
            source="hr-import",
        )
        return
    person = existing[row.email]
    wanted = _wanted_person(row, person, today(clock))
    update_person_record(
        conn,
        clock,
        actor,
        person,
        {_PERSON_ATTRS.get(k, k): wanted[k] for k in change.fields},
    )
