"""Checkpoints of the chain head kept outside the database (the ``AnchorStore`` on the connection).

An anchor only moves forward and two writers never lose one: each write is a
check-and-set on the version read, retried on a conflict. Before moving it, the chain
must still hold the anchored event with the anchored hash; a chain that lost or changed
it is refused (``audit verify`` then names the checkpoint).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from accessguard.audit.chain import chain_head
from accessguard.audit.keys import Anchor, AnchorStore, hooks_of
from accessguard.db.tables import audit_events as _EVENTS
from accessguard.errors import CasConflictError, ConflictError

_TRIES = 5


@dataclass(frozen=True)
class AnchorOutcome:
    """What ``anchor_head`` did: ``written``, ``unchanged`` or ``unavailable`` (no store)."""

    status: str
    location: str | None = None
    anchor: Anchor | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "status": self.status,
            "location": self.location,
            **(self.anchor.to_dict() if self.anchor is not None else {"seq": None}),
        }


def _hash_at(conn: Connection, seq: int) -> str | None:
    return conn.execute(select(_EVENTS.c.hash).where(_EVENTS.c.seq == seq)).scalar()


def _keyed_from(conn: Connection) -> int:
    first = conn.execute(
        select(func.min(_EVENTS.c.seq)).where(_EVENTS.c.hash_key.is_not(None))
    ).scalar()
    return int(first or 0)


def _refuse(store: AnchorStore, current: Anchor, head_seq: int) -> ConflictError:
    if current.seq > head_seq:
        problem = f"names event {current.seq} but the chain ends at event {head_seq}"
    else:
        problem = f"disagrees with event {current.seq} in the database"
    return ConflictError(
        f"the audit checkpoint at {store.location} {problem}; not moving it",
        hint="the audit trail was changed outside accessguard: run `accessguard audit verify` "
        "and restore the database from backup",
        code="audit-anchor-disagrees",
    )


def anchor_head(conn: Connection) -> AnchorOutcome:
    """Move the checkpoint outside the database forward to the chain head, if it moved.

    Run in a short transaction of its own: the anchor is read before the head, so an
    anchor another process wrote after committing its events is never ahead of what this
    transaction sees, unless events were removed.
    """
    hooks = hooks_of(conn)
    store = hooks.anchors() if hooks is not None else None
    if store is None:
        return AnchorOutcome("unavailable")
    for _ in range(_TRIES):
        current = store.read()
        head_seq, head_hash = chain_head(conn)
        if current is not None:
            if current.seq > head_seq or (
                current.seq > 0 and _hash_at(conn, current.seq) != current.hash
            ):
                raise _refuse(store, current, head_seq)
            if current.seq == head_seq:
                return AnchorOutcome("unchanged", store.location, current)
        if head_seq == 0:
            return AnchorOutcome("unchanged", store.location, current)
        keyed_from = _keyed_from(conn) or (current.keyed_from if current is not None else 0)
        try:
            written = store.write(
                Anchor(head_seq, head_hash, keyed_from),
                cas=current.version if current is not None else 0,
            )
        except CasConflictError:
            continue  # another writer moved it: read again, move forward from there
        return AnchorOutcome("written", store.location, written)
    raise ConflictError(
        f"the audit checkpoint at {store.location} kept changing; not moved",
        hint="another accessguard process is anchoring; try again",
        code="audit-anchor-busy",
    )
