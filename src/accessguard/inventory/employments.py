"""Employments: each stint of a person at the company, so a rehire starts a new history.

A person keeps one identity (email, grants, audit trail); each employment is a row
numbered from 1. The highest number is the current employment: its status and end date
are kept in step with the person's by ``person_writes.update_person_record``, the one writer
of people. A rehire closes the current employment (stamping the person's highest grant
id, so every grant belongs to exactly one employment) and opens the next. Closed
employments never change. Functions take the caller's connection and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from accessguard.db.tables import employments as _EMPLOYMENTS
from accessguard.db.tables import grants as _GRANTS


@dataclass(frozen=True, slots=True)
class EmploymentRecord:
    """One employment of a person; ``closed_at`` is set once a rehire replaced it."""

    id: int
    person_id: int
    number: int
    start_date: date | None
    end_date: date | None
    status: str
    began_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    last_grant_id: int | None

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape (without grants)."""

        def iso(value: date | datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "number": self.number,
            "start_date": iso(self.start_date),
            "end_date": iso(self.end_date),
            "status": self.status,
            "began_at": iso(self.began_at),
            "closed_at": iso(self.closed_at),
            "closed_by": self.closed_by,
            "current": self.closed_at is None,
        }


_COLUMNS = [_EMPLOYMENTS.c[name] for name in EmploymentRecord.__slots__]


def employments_of(conn: Connection, person_id: int) -> list[EmploymentRecord]:
    """The person's employments, oldest first."""
    query = (
        select(*_COLUMNS)
        .where(_EMPLOYMENTS.c.person_id == person_id)
        .order_by(_EMPLOYMENTS.c.number)
    )
    return [EmploymentRecord(*row) for row in conn.execute(query)]


def open_employment(
    conn: Connection,
    person_id: int,
    *,
    number: int,
    began_at: datetime,
    status: str,
    start_date: date | None = None,
    end_date: date | None = None,
) -> None:
    """Record a new current employment."""
    conn.execute(
        insert(_EMPLOYMENTS).values(
            person_id=person_id,
            number=number,
            start_date=start_date,
            end_date=end_date,
            status=status,
            began_at=began_at,
        )
    )


def mirror_current(conn: Connection, person_id: int, changes: dict[str, Any]) -> None:
    """Keep the current employment's status and end date in step with the person's."""
    values = {k: v for k, v in changes.items() if k in ("status", "end_date")}
    if not values:
        return
    current = select(func.max(_EMPLOYMENTS.c.number)).where(_EMPLOYMENTS.c.person_id == person_id)
    conn.execute(
        update(_EMPLOYMENTS)
        .where(
            _EMPLOYMENTS.c.person_id == person_id,
            _EMPLOYMENTS.c.number == current.scalar_subquery(),
            _EMPLOYMENTS.c.closed_at.is_(None),
        )
        .values(**values)
    )


def close_current(
    conn: Connection, person_id: int, *, at: datetime, by: str
) -> EmploymentRecord | None:
    """Close the current employment (stamping the person's highest grant id); the closed one."""
    rows = employments_of(conn, person_id)
    if not rows or rows[-1].closed_at is not None:
        return None
    last_grant = conn.scalar(select(func.max(_GRANTS.c.id)).where(_GRANTS.c.person_id == person_id))
    conn.execute(
        update(_EMPLOYMENTS)
        .where(_EMPLOYMENTS.c.id == rows[-1].id)
        .values(closed_at=at, closed_by=by, last_grant_id=last_grant)
    )
    return replace(rows[-1], closed_at=at, closed_by=by, last_grant_id=last_grant)


def employment_of_grant(employments: list[EmploymentRecord], grant_id: int) -> int:
    """The number of the employment a grant belongs to (by the closed ones' last grant ids)."""
    for employment in employments:
        if employment.closed_at is None:
            return employment.number
        if employment.last_grant_id is not None and grant_id <= employment.last_grant_id:
            return employment.number
    return employments[-1].number if employments else 1


def current_start_dates(conn: Connection) -> dict[int, date | None]:
    """person id -> start date of their current employment (None when not recorded)."""
    latest = (
        select(_EMPLOYMENTS.c.person_id, func.max(_EMPLOYMENTS.c.number).label("number"))
        .group_by(_EMPLOYMENTS.c.person_id)
        .subquery()
    )
    query = select(_EMPLOYMENTS.c.person_id, _EMPLOYMENTS.c.start_date).join(
        latest,
        (latest.c.person_id == _EMPLOYMENTS.c.person_id)
        & (latest.c.number == _EMPLOYMENTS.c.number),
    )
    return {row.person_id: row.start_date for row in conn.execute(query)}


def people_holding_grants(conn: Connection) -> set[int]:
    """Ids of the people who hold at least one active grant."""
    query = select(_GRANTS.c.person_id).where(_GRANTS.c.revoked_at.is_(None)).distinct()
    return set(conn.scalars(query))
