"""The HR feed: people added, updated, leaving, rehired; absences from a full feed noticed.

All or nothing like every import (one ``CsvInputError`` naming ``file:row:column``),
planned first and applied exactly as planned. What the feed may not do it reports as a
refusal instead of doing: a departed person never returns to active or leaving through
the feed (a rehire is a new employment, from a ``start_date`` after the departure), and
a full feed that would mark too many people leaving at once is refused whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from accessguard.clock import Clock, today
from accessguard.errors import ConflictError
from accessguard.inventory.csvinput import Change, Problems, Row, iso, read_rows
from accessguard.inventory.employments import current_start_dates, people_holding_grants
from accessguard.inventory.feedrows import (
    PEOPLE_COLUMNS,
    PEOPLE_OPTIONAL,
    PersonRow,
    parse_person,
    wanted_person,
)
from accessguard.inventory.people import PersonInput, add_person, list_people, rehire
from accessguard.inventory.person_writes import update_person_record
from accessguard.inventory.personal import mask_personal
from accessguard.inventory.records import PersonRecord, get_person_record

#: Audited reason of a person marked leaving because a full feed left them out.
ABSENT = "absent from the full HR feed"
COUNTS = ("created", "updated", "unchanged", "leaving", "rehired", "refused")


@dataclass(frozen=True)
class FeedOptions:
    """How to read and apply a feed: full (absences count), threshold, column mapping."""

    full: bool = False
    max_leaving: float = 10.0
    mapping: dict[str, str] | None = None
    dry_run: bool = False


@dataclass
class FeedResult:
    """The changes of an import (planned or applied) and how many of each outcome."""

    changes: list[Change] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    full: bool = False
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape."""
        return {
            "dry_run": self.dry_run,
            "full": self.full,
            "counts": dict(self.counts),
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass(frozen=True)
class _Planned:
    change: Change
    values: dict[str, Any]


def import_feed(
    conn: Connection, clock: Clock, actor: str, path: Path, options: FeedOptions
) -> FeedResult:
    """Plan the feed, check the leaving threshold, then apply the plan unless a dry run."""
    rows = _read(conn, path, options)
    existing = {p.email: p for p in list_people(conn)}
    day = today(clock)
    result = FeedResult(full=options.full, dry_run=options.dry_run)
    started = current_start_dates(conn)
    holding = people_holding_grants(conn)
    plan: list[_Planned] = []
    for row in rows:
        person = existing.get(row.email)
        if person is not None and person.status == "departed":
            departed = _Departed(person, started.get(person.id), person.id in holding)
            plan.extend(_plan_departed(row, departed, day, result))
        else:
            plan.extend(_plan_row(row, person, day, result))
    if options.full:
        listed = {row.email for row in rows}
        plan.extend(_plan_absent(existing, listed, day, result))
        _check_threshold(existing, result.counts["leaving"], options.max_leaving)
    result.changes = [p.change for p in plan]
    if not options.dry_run:
        for planned in plan:
            _apply(conn, clock, actor, planned, reason=f"{ABSENT} {path.name}")
    return result


def _read(conn: Connection, path: Path, options: FeedOptions) -> list[PersonRow]:
    problems, rows = read_rows(
        path, required=PEOPLE_COLUMNS, optional=PEOPLE_OPTIONAL, mapping=options.mapping
    )
    parsed = _parse_all(problems, rows)
    known = {p.email for p in list_people(conn)} | {p.email for p in parsed}
    for person in parsed:
        if person.manager and person.manager not in known:
            problems.add(
                person.line,
                "manager",
                f"unknown manager {person.manager} (not in this file nor the inventory)",
            )
    problems.raise_if_any()
    return parsed


def _parse_all(problems: Problems, rows: list[Row]) -> list[PersonRow]:
    parsed: list[PersonRow] = []
    first_line: dict[str, int] = {}
    for row in rows:
        person = parse_person(problems, row)
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
    return parsed


def _diff(existing: PersonRecord, values: dict[str, Any]) -> dict[str, list[Any]]:
    """What changes, {field: [before, after]}; personal values masked (the diff is printed)."""
    return mask_personal(
        {
            column: [iso(getattr(existing, _ATTR.get(column, column))), iso(value)]
            for column, value in values.items()
            if getattr(existing, _ATTR.get(column, column)) != value
        }
    )


# feed column -> PersonRecord field
_ATTR = {"manager": "manager_email"}


def _plan_row(
    row: PersonRow, existing: PersonRecord | None, day: date, result: FeedResult
) -> list[_Planned]:
    counts = result.counts
    if existing is None:
        values = wanted_person(row, None, day)
        leaver = values["status"] in ("leaving", "departed")
        fields = mask_personal({k: [None, iso(v)] for k, v in values.items()})
        if row.start_date is not None:
            fields["start_date"] = [None, iso(row.start_date)]
        counts["created"] += 1
        note = "leaver" if leaver else None
        change = Change("person", "add", row.email, fields, row.line, note)
        return [_Planned(change, values | {"start_date": row.start_date})]
    values = wanted_person(row, existing, day)
    fields = _diff(existing, values)
    if not fields:
        counts["unchanged"] += 1
        return []
    leaver = "status" in fields and values["status"] in ("leaving", "departed")
    counts["updated"] += 1
    if leaver and existing.status == "active":
        counts["leaving"] += 1
    change = Change("person", "update", row.email, fields, row.line, "leaver" if leaver else None)
    return [_Planned(change, {k: values[k] for k in fields})]


def _rehire_start(row: PersonRow, gone: date | None, started: date | None) -> date | None:
    """The row's start date when it starts a new employment: after the departure and after
    the current employment's start (one of them must be known), else None."""
    bounds = [d for d in (gone, started) if d is not None]
    if row.start_date is None or not bounds or row.start_date <= max(bounds):
        return None
    return row.start_date


@dataclass(frozen=True)
class _Departed:
    person: PersonRecord
    started: date | None  # the current employment's start date
    holds_access: bool  # an active grant left: the offboarding has not finished


def _plan_departed(
    row: PersonRow, departed: _Departed, day: date, result: FeedResult
) -> list[_Planned]:
    """A departed person: a rehire (start after the departure), or details only."""
    counts, existing = result.counts, departed.person
    gone = existing.end_date
    start = _rehire_start(row, gone, departed.started)
    if start is not None and departed.holds_access:
        counts["refused"] += 1
        note = (
            "still holds access from the last employment; finish the offboarding, then import again"
        )
        fields = {"start_date": [None, iso(start)]}
        return [_Planned(Change("person", "refuse", row.email, fields, row.line, note), {})]
    if start is not None:
        end = row.end_date if row.end_date and row.end_date > start else None
        values = wanted_person(row, existing, day) | {
            "status": "leaving" if end else "active",
            "end_date": end,
        }
        fields = _diff(existing, values) | {"start_date": [None, iso(start)]}
        counts["rehired"] += 1
        change = Change("person", "rehire", row.email, fields, row.line, "new employment")
        return [_Planned(change, values | {"start_date": start})]
    values = wanted_person(row, existing, day)
    asked = {k: values.pop(k) for k in ("status", "end_date")}
    planned: list[_Planned] = []
    fields = _diff(existing, values)
    if fields:
        counts["updated"] += 1
        change = Change("person", "update", row.email, fields, row.line, None)
        planned.append(_Planned(change, {k: values[k] for k in fields}))
    refused = _diff(existing, {k: v for k, v in asked.items() if v is not None})
    if refused.get("status", [None, None])[1] != "active" and "end_date" not in refused:
        refused = {}  # leaving or departed again says nothing new about someone gone
    if refused:
        counts["refused"] += 1
        when = f" on {gone.isoformat()}" if gone else ""
        note = f"departed{when}; a rehire needs a start_date after it (or `people rehire`)"
        refusal = Change("person", "refuse", row.email, refused, row.line, note)
        planned.append(_Planned(refusal, {}))
    elif not fields:
        counts["unchanged"] += 1
    return planned


def _plan_absent(
    existing: dict[str, PersonRecord], listed: set[str], day: date, result: FeedResult
) -> list[_Planned]:
    """Active people from the feed that a full feed no longer lists: leaving today."""
    planned = []
    for person in existing.values():
        if person.source != "hr-import" or person.status != "active" or person.email in listed:
            continue
        values: dict[str, Any] = {"status": "leaving", "end_date": day}
        change = Change("person", "leave", person.email, _diff(person, values), None, ABSENT)
        planned.append(_Planned(change, values))
        result.counts["leaving"] += 1
    return planned


def _check_threshold(existing: dict[str, PersonRecord], leaving: int, max_leaving: float) -> None:
    """Refuse a full feed that would mark more than ``max_leaving`` percent leaving at once."""
    base = sum(1 for p in existing.values() if p.source == "hr-import" and p.status != "departed")
    if not base or leaving * 100 <= max_leaving * base:
        return
    share = leaving * 100 / base
    raise ConflictError(
        f"the full feed would mark {leaving} of {base} people leaving ({share:.0f}%),"
        f" more than --max-leaving {max_leaving:g}%; nothing was changed",
        hint=f"check that the feed is complete; if it is right, import it again with"
        f" --max-leaving {int(share) + 1} (see the changes with --dry-run --max-leaving 100)",
        code="feed-too-many-leaving",
    )


def _apply(conn: Connection, clock: Clock, actor: str, planned: _Planned, *, reason: str) -> None:
    change, values = planned.change, planned.values
    if change.action == "refuse":
        return
    if change.action == "add":
        add_person(
            conn,
            clock,
            actor,
            PersonInput(
                email=change.target,
                name=values["name"],
                department=values["department"],
                manager_email=values["manager"],
                kind=values["kind"],
                status=values["status"],
                end_date=values["end_date"],
                start_date=values["start_date"],
                personal_email=values["personal_email"],
                personal_phone=values["personal_phone"],
            ),
            source="hr-import",
        )
        return
    if change.action == "rehire":
        rehire(
            conn,
            clock,
            actor,
            change.target,
            start=values["start_date"],
            end_date=values["end_date"],
        )
        values = {k: v for k, v in values.items() if k not in ("status", "end_date", "start_date")}
    person = get_person_record(conn, change.target)
    update_person_record(
        conn,
        clock,
        actor,
        person,
        {_ATTR.get(k, k): v for k, v in values.items()},
        reason=reason if change.action == "leave" else None,
    )
