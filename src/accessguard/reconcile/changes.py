"""Reconcile's change-feed rows: each account's cursor and the platform changes recorded.

Core statements on ``db/tables/changefeed.py`` only; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from accessguard.connectors.changefeed import Change
from accessguard.db.tables import changefeed_cursors as _CURSORS
from accessguard.db.tables import platform_changes as _CHANGES


def read_cursors(session: Connection, account_ids: Collection[int]) -> dict[int, datetime]:
    """When each account's change feed was last read (accounts never read are absent)."""
    if not account_ids:
        return {}
    rows = session.execute(
        select(_CURSORS.c.account_id, _CURSORS.c.read_until).where(
            _CURSORS.c.account_id.in_(list(account_ids))
        )
    )
    return {row.account_id: row.read_until for row in rows}


def advance_cursor(
    session: Connection, account_id: int, *, read_until: datetime, run_id: str
) -> None:
    """Record that ``account_id``'s feed was read up to ``read_until`` by run ``run_id``."""
    values = {"read_until": read_until, "run_id": run_id}
    done = session.execute(
        update(_CURSORS).where(_CURSORS.c.account_id == account_id).values(**values)
    )
    if not done.rowcount:
        session.execute(insert(_CURSORS).values(account_id=account_id, **values))


def recorded_changes(session: Connection, account_id: int) -> list[Change]:
    """Every change recorded for ``account_id``, oldest first."""
    c = _CHANGES.c
    rows = session.execute(
        select(c.occurred_at, c.kind, c.summary, c.actor, c.subjects)
        .where(c.account_id == account_id)
        .order_by(c.occurred_at, c.id)
    )
    return [
        Change(row.occurred_at, row.kind, row.summary, row.actor, tuple(row.subjects or ()))
        for row in rows
    ]


def unrecorded(session: Connection, account_id: int, changes: Sequence[Change]) -> list[Change]:
    """The changes not yet recorded for ``account_id`` (each once, in their order)."""
    fresh = {change.fingerprint: change for change in changes}
    if not fresh:
        return []
    known = set(
        session.scalars(
            select(_CHANGES.c.fingerprint).where(
                _CHANGES.c.account_id == account_id, _CHANGES.c.fingerprint.in_(list(fresh))
            )
        )
    )
    return [change for key, change in fresh.items() if key not in known]


def insert_changes(
    session: Connection, run_id: str, account_id: int, changes: Sequence[Change]
) -> None:
    """Record changes read by run ``run_id`` (set-based)."""
    if changes:
        session.execute(
            insert(_CHANGES),
            [
                {
                    "run_id": run_id,
                    "account_id": account_id,
                    "occurred_at": change.occurred_at,
                    "kind": change.kind,
                    "actor": change.actor,
                    "summary": change.summary,
                    "subjects": list(change.subjects),
                    "fingerprint": change.fingerprint,
                }
                for change in changes
            ],
        )
