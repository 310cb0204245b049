"""Append events to the hash chain, read them as records, verify the chain, export it for a SIEM.

Everything runs on the caller's connection, in the caller's transaction (``Executor``
still admits an ORM session for the packages not yet moved to records).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import insert, select, update

from accessguard.audit.redaction import redact_details
from accessguard.clock import Clock
from accessguard.db.tables import audit_events as _EVENTS
from accessguard.db.tables import audit_head as _HEAD
from accessguard.db.types import Executor

GENESIS = "0" * 64


def _event_hash(
    *,
    seq: int,
    occurred_at: datetime,
    actor: str,
    action: str,
    target_type: str,
    target: str,
    run_id: str | None,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    payload = json.dumps(
        {
            "seq": seq,
            "occurred_at": occurred_at.isoformat(),
            "actor": actor,
            "action": action,
            "target_type": target_type,
            "target": target,
            "run_id": run_id,
            "details": details,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock_head(conn: Executor) -> tuple[int, str]:
    """Lock the chain head so concurrent writers append one after the other: (seq, hash)."""
    head = conn.execute(
        select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
    ).first()
    if head is None:
        conn.execute(insert(_HEAD).values(id=1, seq=0, hash=GENESIS))
        return 0, GENESIS
    return int(head.seq), str(head.hash)


@dataclass(frozen=True)
class Event:
    """One audit event to append (``record_many``)."""

    actor: str
    action: str
    target_type: str
    target: str
    details: dict[str, Any] | None = None
    run_id: str | None = None


def record_many(conn: Executor, clock: Clock, events: Sequence[Event]) -> list[int]:
    """Append ``events`` in order, in the caller's transaction; returns their sequence numbers.

    Secret values in ``details`` are redacted first. One lock of the head and one
    multi-row INSERT for the whole batch (a step's 200 rotations), not one of each per
    event.
    """
    if not events:
        return []
    seq, prev = _lock_head(conn)
    occurred_at = clock.now()
    rows: list[dict[str, Any]] = []
    for event in events:
        clean = redact_details(event.details or {})  # JSON-ready already: str keys, str leaves
        seq += 1
        digest = _event_hash(
            seq=seq,
            occurred_at=occurred_at,
            actor=event.actor,
            action=event.action,
            target_type=event.target_type,
            target=event.target,
            run_id=event.run_id,
            details=clean,
            prev_hash=prev,
        )
        rows.append(
            {
                "seq": seq,
                "occurred_at": occurred_at,
                "actor": event.actor,
                "action": event.action,
                "target_type": event.target_type,
                "target": event.target,
                "run_id": event.run_id,
                "details": clean,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    # Core statements on the tables: the ORM's bulk path costs more per row than the INSERT.
    conn.execute(insert(_EVENTS), rows)
    conn.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=seq, hash=prev))
    return [row["seq"] for row in rows]


def record(
    conn: Executor,
    clock: Clock,
    *,
    actor: str,
    action: str,
    target_type: str,
    target: str,
    details: dict[str, Any] | None = None,
    run_id: str | None = None,
) -> int:
    """Append one event in the caller's transaction (secret values redacted); its seq."""
    event = Event(actor, action, target_type, target, details, run_id)
    return record_many(conn, clock, [event])[0]


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of ``verify``: the first broken event, if any."""

    ok: bool
    checked: int
    head_hash: str
    bad_seq: int | None = None
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "ok": self.ok,
            "checked": self.checked,
            "head_hash": self.head_hash,
            "bad_seq": self.bad_seq,
            "problem": self.problem,
        }


def verify(conn: Executor) -> VerifyResult:
    """Walk the chain and report the first edited, removed or reordered event."""
    expected_seq = 1
    prev = GENESIS
    checked = 0
    for event in iter_events(conn):
        if event.seq != expected_seq:
            return VerifyResult(
                False, checked, prev, expected_seq, f"event {expected_seq} is missing"
            )
        if event.prev_hash != prev:
            return VerifyResult(
                False,
                checked,
                prev,
                event.seq,
                f"event {event.seq} does not follow event {event.seq - 1} (removed or reordered)",
            )
        digest = _event_hash(
            seq=event.seq,
            occurred_at=event.occurred_at,
            actor=event.actor,
            action=event.action,
            target_type=event.target_type,
            target=event.target,
            run_id=event.run_id,
            details=event.details or {},
            prev_hash=event.prev_hash,
        )
        if digest != event.hash:
            return VerifyResult(
                False, checked, prev, event.seq, f"event {event.seq} was edited (hash mismatch)"
            )
        prev = event.hash
        expected_seq += 1
        checked += 1
    head_seq, head_hash = chain_head(conn)
    if head_seq != checked or head_hash != prev:
        return VerifyResult(
            False,
            checked,
            prev,
            checked + 1,
            f"the chain ends at event {checked} but the head says {head_seq} (events removed from the end)",
        )
    return VerifyResult(True, checked, prev)


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One stored event; ``hash`` chains it to the event before it (``prev_hash``)."""

    seq: int
    occurred_at: datetime
    actor: str
    action: str
    target_type: str
    target: str
    run_id: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str


_EVENT_COLUMNS = [_EVENTS.c[name] for name in EventRecord.__slots__]


def event_to_dict(event: EventRecord) -> dict[str, Any]:
    """The stable JSON shape of one event (also the export line)."""
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "target_type": event.target_type,
        "target": event.target,
        "run_id": event.run_id,
        "details": event.details,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def iter_events(
    conn: Executor, *, since: datetime | None = None, limit: int | None = None
) -> Iterator[EventRecord]:
    """Events in chain order, streamed."""
    events = _EVENTS.c
    query = select(*_EVENT_COLUMNS).order_by(events.seq)
    if since is not None:
        query = query.where(events.occurred_at >= since)
    if limit is not None:
        query = query.limit(limit)
    for row in conn.execute(query.execution_options(yield_per=2000)):
        yield EventRecord(*row)


def find_events(
    conn: Executor, *, action: str | None = None, run_id: str | None = None
) -> list[EventRecord]:
    """Events in chain order, only those of ``action`` and of ``run_id`` when given."""
    events = _EVENTS.c
    query = select(*_EVENT_COLUMNS).order_by(events.seq)
    if action is not None:
        query = query.where(events.action == action)
    if run_id is not None:
        query = query.where(events.run_id == run_id)
    return [EventRecord(*row) for row in conn.execute(query)]


def chain_head(conn: Executor) -> tuple[int, str]:
    """The head of the chain as stored: (last seq, last hash); (0, genesis) when empty."""
    head = conn.execute(select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1)).first()
    return (int(head.seq), str(head.hash)) if head is not None else (0, GENESIS)


def export_jsonl(conn: Executor, out: TextIO, *, since: datetime | None = None) -> int:
    """Write events as JSON Lines; returns how many were written."""
    count = 0
    for event in iter_events(conn, since=since):
        out.write(json.dumps(event_to_dict(event), sort_keys=True) + "\n")
        count += 1
    return count


def export_file(conn: Executor, path: Path, *, since: datetime | None = None) -> int:
    """Export to ``path`` created 0600."""
    from accessguard.files import open_private

    with open_private(path) as handle:
        return export_jsonl(conn, handle, since=since)
