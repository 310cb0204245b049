"""The one writer of people's fields: a diff, one UPDATE, one audit event.

The current employment's status and end date follow the person's (``employments``).
Functions take the caller's connection and never commit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, update

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.db.tables import people as _PEOPLE
from accessguard.inventory.changes_plan import field_diff, with_reason
from accessguard.inventory.employments import mirror_current
from accessguard.inventory.personal import mask_personal
from accessguard.inventory.records import PersonRecord


def person_diff(person: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """The fields ``changes`` would alter: {field: [before, after]} (dates as ISO text)."""

    def text(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    now = {name: getattr(person, name) for name in changes}
    return {name: [text(b), text(a)] for name, (b, a) in field_diff(now, changes).items()}


def update_person_record(
    conn: Connection,
    clock: Clock,
    actor: str,
    person: PersonRecord,
    changes: dict[str, Any],
    *,
    reason: str | None = None,
    action: AuditAction = AuditAction.PERSON_UPDATE,
) -> dict[str, Any]:
    """Apply ``changes`` with one UPDATE, audited as ``action`` (with ``reason``); {field: [before, after]}.

    The current employment's status and end date follow the person's (``employments``).
    """
    diff = person_diff(person, changes)
    if diff:
        values = {name: changes[name] for name in diff}
        conn.execute(
            update(_PEOPLE)
            .where(_PEOPLE.c.id == person.id)
            .values(**values, updated_at=clock.now())
        )
        mirror_current(conn, person.id, values)
        details = with_reason({"changes": mask_personal(diff)}, reason)
        record(
            conn,
            clock,
            actor=actor,
            action=action,
            target_type="person",
            target=person.email,
            details=details,
        )
    return diff
