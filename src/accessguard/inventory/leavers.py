"""Who is due to be offboarded: people past their end date who are not yet fully gone."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, exists, or_, select

from accessguard.db.tables import grants as _GRANTS
from accessguard.db.tables import people as _PEOPLE


def due_leavers(session: Connection, today: date) -> list[str]:
    """Emails of people whose end date is before ``today`` and who are not departed (or still hold grants).

    Worst overdue first (end date, then email), so a batch works through them in order.
    """
    people, grants = _PEOPLE.c, _GRANTS.c
    holds = exists().where(grants.person_id == people.id, grants.revoked_at.is_(None))
    query = (
        select(people.email)
        .where(people.end_date.is_not(None), people.end_date < today)
        .where(or_(people.status != "departed", holds))
        .order_by(people.end_date, people.email)
    )
    return list(session.scalars(query))
