"""``people update`` and ``people cancel-leave``: plan a change, then apply exactly that plan.

An update sets what ``people add`` sets, validated the same way; cancelling a leave
makes a leaver set by mistake active again, and is refused once the person has
departed (their offboarding ran: a rehire is the way back) or while a run for them is
under way. Functions take the caller's connection and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from accessguard.audit.actions import AuditAction
from accessguard.clock import Clock
from accessguard.db.tables import runs as _RUNS
from accessguard.errors import ConflictError, InputError
from accessguard.inventory.person_writes import person_diff, update_person_record
from accessguard.inventory.records import PersonRecord, get_person_record
from accessguard.inventory.validation import check_choice, check_email, check_text, optional_text
from accessguard.inventory.vocab import PERSON_KINDS

#: Run statuses that still have work open (``playbooks.status.UNFINISHED_RUN``'s values;
#: the inventory sits below playbooks and reads the table only).
_OPEN_RUN = ("running", "waiting", "failed", "partial")


@dataclass(frozen=True)
class PersonUpdate:
    """What to change on a person; None leaves a field alone, "" clears an optional one."""

    name: str | None = None
    department: str | None = None
    manager_email: str | None = None
    kind: str | None = None
    end_date: date | None = None
    clear_end_date: bool = False


def _wanted(change: PersonUpdate) -> dict[str, Any]:
    """The validated new values, by column."""
    values: dict[str, Any] = {}
    if change.name is not None:
        values["name"] = check_text(change.name, "name", max_length=200)
        if not values["name"]:
            raise InputError("--name: must not be empty")
    if change.department is not None:
        values["department"] = optional_text(change.department, "department", max_length=120)
    if change.manager_email is not None:
        manager = change.manager_email.strip()
        values["manager_email"] = check_email(manager, "manager") if manager else None
    if change.kind is not None:
        values["kind"] = check_choice(change.kind, PERSON_KINDS, "kind")
    if change.end_date is not None and change.clear_end_date:
        raise InputError("give a new end date or clear it, not both")
    if change.end_date is not None:
        values["end_date"] = change.end_date
    if change.clear_end_date:
        values["end_date"] = None
    return values


def plan_person_update(
    conn: Connection, email: str, change: PersonUpdate
) -> tuple[PersonRecord, dict[str, Any]]:
    """The person, the column values to write and nothing else; see ``person_diff`` for the diff.

    A leaving person's end date is their last day: moving it is ``people leave``'s job,
    and a departed person's is history; both are refused here.
    """
    person = get_person_record(conn, email)
    values = _wanted(change)
    if "end_date" in values and person.status != "active":
        raise ConflictError(
            f"{person.email} is {person.status}; their end date is their last day",
            hint="move a leave with `accessguard people leave PERSON --on YYYY-MM-DD`,"
            " or undo it with `accessguard people cancel-leave PERSON`",
            code="person-not-active",
        )
    if values.get("manager_email") == person.email:
        raise InputError("--manager: a person cannot be their own manager")
    return person, values


def update_person(
    conn: Connection,
    clock: Clock,
    actor: str,
    person: PersonRecord,
    values: dict[str, Any],
    *,
    reason: str | None = None,
    dry_run: bool = False,
    action: AuditAction = AuditAction.PERSON_UPDATE,
) -> dict[str, Any]:
    """Apply a planned change (audited as ``action``) unless ``dry_run``; {field: [before, after]}."""
    if dry_run:
        return person_diff(person, values)
    return update_person_record(conn, clock, actor, person, values, reason=reason, action=action)


def plan_cancel_leave(conn: Connection, email: str) -> PersonRecord:
    """The leaver whose leave can be cancelled; ConflictError with what to do otherwise."""
    person = get_person_record(conn, email)
    if person.status == "departed":
        raise ConflictError(
            f"{person.email} has departed (offboarded); a leave is cancelled only before that",
            hint="if they are staying or coming back, start a new employment with"
            " `accessguard people rehire PERSON --on YYYY-MM-DD`",
            code="person-departed",
        )
    if person.status != "leaving":
        raise ConflictError(
            f"{person.email} is {person.status}, not leaving; there is no leave to cancel",
            hint="see `accessguard people show PERSON`",
            code="person-not-leaving",
        )
    open_run = conn.scalar(
        select(_RUNS.c.id).where(_RUNS.c.subject == person.email, _RUNS.c.status.in_(_OPEN_RUN))
    )
    if open_run is not None:
        raise ConflictError(
            f"run {open_run} for {person.email} is under way; their leave is not cancelled",
            hint=f"see `accessguard runs show {open_run}`; once it is finished the person is"
            " departed and `people rehire` is the way back",
            code="run-in-progress",
        )
    return person


def cancel_leave(
    conn: Connection,
    clock: Clock,
    actor: str,
    person: PersonRecord,
    *,
    reason: str | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Make the leaver active again with no end date, audited; {field: [before, after]}."""
    values: dict[str, Any] = {"status": "active", "end_date": None}
    return update_person(
        conn,
        clock,
        actor,
        person,
        values,
        reason=reason,
        dry_run=dry_run,
        action=AuditAction.PERSON_CANCEL_LEAVE,
    )
