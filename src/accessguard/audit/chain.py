"""Append events to the hash chain, read them as records, verify the chain, export it for a SIEM.

Everything runs on the caller's connection, in the caller's transaction. Events are
signed with the key of the ``AuditHooks`` the transaction carries (``audit/keys.py``);
``verify`` also checks the checkpoint those hooks keep outside the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Connection, insert, select, update

from accessguard.audit.actions import AuditAction
from accessguard.audit.keys import Anchor, AuditHooks, ChainKey, event_hash, hooks_of
from accessguard.audit.redaction import redact_details
from accessguard.clock import Clock
from accessguard.db.tables import audit_events as _EVENTS
from accessguard.db.tables import audit_head as _HEAD

GENESIS = "0" * 64


def _lock_head(conn: Connection) -> tuple[int, str]:
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
    action: AuditAction
    target_type: str
    target: str
    details: dict[str, Any] | None = None
    run_id: str | None = None


def record_many(conn: Connection, clock: Clock, events: Sequence[Event]) -> list[int]:
    """Append ``events`` in order, in the caller's transaction; returns their sequence numbers.

    Secret values in ``details`` are redacted first. One lock of the head and one
    multi-row INSERT for the whole batch (a step's 200 rotations), not one of each per
    event.
    """
    if not events:
        return []
    hooks = hooks_of(conn)
    # Read before the head is locked: the first call in a process asks Vault.
    key = hooks.signing_key() if hooks is not None else None
    who = hooks.identity() if hooks is not None else None
    seq, prev = _lock_head(conn)
    occurred_at = clock.now()
    rows: list[dict[str, Any]] = []
    for event in events:
        clean = redact_details(event.details or {})  # JSON-ready already: str keys, str leaves
        seq += 1
        row: dict[str, Any] = {
            "seq": seq,
            "occurred_at": occurred_at,
            "actor": event.actor,
            "action": event.action,
            "target_type": event.target_type,
            "target": event.target,
            "run_id": event.run_id,
            "details": clean,
            "prev_hash": prev,
            "hash_key": key.key_id if key is not None else None,
            "vault_name": who.vault_name if who is not None else None,
            "vault_entity": who.vault_entity if who is not None else None,
            "os_user": who.os_user if who is not None else None,
        }
        row["hash"] = prev = event_hash(row, key)
        rows.append(row)
    # Core statements on the tables: the ORM's bulk path costs more per row than the INSERT.
    conn.execute(insert(_EVENTS), rows)
    conn.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=seq, hash=prev))
    return [row["seq"] for row in rows]


def record(
    conn: Connection,
    clock: Clock,
    *,
    actor: str,
    action: AuditAction,
    target_type: str,
    target: str,
    details: dict[str, Any] | None = None,
    run_id: str | None = None,
) -> int:
    """Append one event in the caller's transaction (secret values redacted); its seq."""
    event = Event(actor, action, target_type, target, details, run_id)
    return record_many(conn, clock, [event])[0]


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
    #: The key that made ``hash`` (None: plain SHA-256, before keying or without Vault).
    hash_key: str | None = None
    #: The Vault token's display name and entity id, and the OS user (beside ``actor``).
    vault_name: str | None = None
    vault_entity: str | None = None
    os_user: str | None = None


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
        "hash_key": event.hash_key,
        "vault_name": event.vault_name,
        "vault_entity": event.vault_entity,
        "os_user": event.os_user,
    }


def iter_events(
    conn: Connection, *, since: datetime | None = None, limit: int | None = None
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
    conn: Connection, *, action: str | None = None, run_id: str | None = None
) -> list[EventRecord]:
    """Events in chain order, only those of ``action`` and of ``run_id`` when given."""
    events = _EVENTS.c
    query = select(*_EVENT_COLUMNS).order_by(events.seq)
    if action is not None:
        query = query.where(events.action == action)
    if run_id is not None:
        query = query.where(events.run_id == run_id)
    return [EventRecord(*row) for row in conn.execute(query)]


def chain_head(conn: Connection) -> tuple[int, str]:
    """The head of the chain as stored: (last seq, last hash); (0, genesis) when empty."""
    head = conn.execute(select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1)).first()
    return (int(head.seq), str(head.hash)) if head is not None else (0, GENESIS)


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of ``verify``: the first broken event or the checkpoint that disagrees, if any."""

    ok: bool
    checked: int
    head_hash: str
    bad_seq: int | None = None
    problem: str | None = None
    #: The first event signed with a key (None: the chain is not keyed).
    keyed_from: int | None = None
    #: Where the checkpoint is kept and what it says; None when there is no anchor store.
    anchor: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "ok": self.ok,
            "checked": self.checked,
            "head_hash": self.head_hash,
            "bad_seq": self.bad_seq,
            "problem": self.problem,
            "keyed": self.keyed_from is not None,
            "keyed_from": self.keyed_from,
            "anchor": self.anchor,
        }


@dataclass
class _Walk:
    """What ``verify`` has seen so far."""

    hooks: AuditHooks | None
    anchor: Anchor | None
    checked: int = 0
    prev: str = GENESIS
    keyed_from: int | None = None
    keys: dict[str, ChainKey] = field(default_factory=dict)
    hash_at_anchor: str | None = None

    def key(self, key_id: str) -> ChainKey | None:
        if key_id not in self.keys and self.hooks is not None:
            self.keys[key_id] = self.hooks.key(key_id)
        return self.keys.get(key_id)

    def problem(self, event: EventRecord) -> str | None:
        """Why ``event`` breaks the chain, or None."""
        if event.seq != self.checked + 1:
            return f"event {self.checked + 1} is missing"
        if event.prev_hash != self.prev:
            return f"event {event.seq} does not follow event {event.seq - 1} (removed or reordered)"
        if event.hash_key is None and self.keyed_from is not None:
            return (
                f"event {event.seq} is unkeyed after keyed event {self.keyed_from} "
                "(a downgrade: written or rewritten without the key)"
            )
        key = None if event.hash_key is None else self.key(event.hash_key)
        if event.hash_key is not None and key is None:
            return f"event {event.seq} is signed with key {event.hash_key}, which is not available"
        fields = {name: getattr(event, name) for name in EventRecord.__slots__}
        if event_hash(fields, key) != event.hash:
            return f"event {event.seq} was edited (hash mismatch)"
        return None

    def fail(self, seq: int, problem: str) -> VerifyResult:
        return VerifyResult(
            False, self.checked, self.prev, seq, problem, self.keyed_from, self.anchor_view()
        )

    def anchor_view(self, status: str | None = None) -> dict[str, Any] | None:
        store = self.hooks.anchors() if self.hooks is not None else None
        if store is None:
            return None
        view: dict[str, Any] = {"location": store.location, "status": status or "checked"}
        view.update(self.anchor.to_dict() if self.anchor is not None else {"seq": None})
        if self.anchor is None:
            view["status"] = "none"
        return view

    def anchor_problem(self, anchor: Anchor) -> str | None:
        """Why the chain disagrees with the checkpoint kept outside the database, or None."""
        if anchor.seq == 0:
            return None
        where = self.anchor_view()
        place = where["location"] if where is not None else "the anchor"
        if anchor.seq > self.checked:
            return (
                f"the checkpoint at {place} names event {anchor.seq} but the chain ends at "
                f"event {self.checked} (events removed)"
            )
        if self.hash_at_anchor != anchor.hash:
            return (
                f"the checkpoint at {place} disagrees with event {anchor.seq} "
                "(the chain was rewritten)"
            )
        if anchor.keyed_from and self.keyed_from != anchor.keyed_from:
            return (
                f"the checkpoint at {place} says the chain is keyed from event "
                f"{anchor.keyed_from}, the chain from {self.keyed_from}"
            )
        return None


def verify(conn: Connection) -> VerifyResult:
    """Walk the chain: the first edited, removed, reordered or unkeyed-after-keyed event,
    then the head and the checkpoint kept outside the database (``AuditHooks`` on ``conn``).
    """
    hooks = hooks_of(conn)
    store = hooks.anchors() if hooks is not None else None
    walk = _Walk(hooks, store.read() if store is not None else None)
    for event in iter_events(conn):
        problem = walk.problem(event)
        if problem is not None:
            return walk.fail(walk.checked + 1, problem)
        if event.hash_key is not None and walk.keyed_from is None:
            walk.keyed_from = event.seq
        if walk.anchor is not None and event.seq == walk.anchor.seq:
            walk.hash_at_anchor = event.hash
        walk.prev = event.hash
        walk.checked += 1
    head_seq, head_hash = chain_head(conn)
    if head_seq != walk.checked or head_hash != walk.prev:
        return walk.fail(
            walk.checked + 1,
            f"the chain ends at event {walk.checked} but the head says {head_seq} "
            "(events removed from the end)",
        )
    anchor = walk.anchor
    anchor_problem = walk.anchor_problem(anchor) if anchor is not None else None
    if anchor is not None and anchor_problem is not None:
        return VerifyResult(
            False,
            walk.checked,
            walk.prev,
            anchor.seq,
            anchor_problem,
            walk.keyed_from,
            walk.anchor_view("disagrees"),
        )
    if walk.keyed_from is None and walk.checked and hooks is not None and hooks.key_exists():
        return walk.fail(
            1,
            "no event is keyed but the chain key exists in Vault "
            "(the chain was rewritten without the key)",
        )
    return VerifyResult(
        True, walk.checked, walk.prev, None, None, walk.keyed_from, walk.anchor_view("agrees")
    )


def export_jsonl(conn: Connection, out: TextIO, *, since: datetime | None = None) -> int:
    """Write events as JSON Lines; returns how many were written."""
    count = 0
    for event in iter_events(conn, since=since):
        out.write(json.dumps(event_to_dict(event), sort_keys=True) + "\n")
        count += 1
    return count


def export_file(conn: Connection, path: Path, *, since: datetime | None = None) -> int:
    """Export to ``path`` created 0600."""
    from accessguard.files import open_private

    with open_private(path, folders=False) as handle:
        return export_jsonl(conn, handle, since=since)
