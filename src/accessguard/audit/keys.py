"""What keys the chain and anchors it outside the database: the hooks, injected from above.

``audit/`` sits below ``vault/``, so it never reads Vault itself: whoever opens the
transaction (``App.begin``) attaches an ``AuditHooks`` to the connection, and
``record``/``record_many`` find it there. Without hooks (an App built without them, a
test's bare connection) events are hashed unkeyed, as before keying existed.

An event's hash is HMAC-SHA256 under the key named in its ``hash_key`` column, or plain
SHA-256 when ``hash_key`` is empty (events written before keying was enabled, or by an
install without Vault). A database writer can recompute SHA-256 but not the HMAC.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection

from accessguard.secret import Secret

#: Where ``App.begin`` leaves the hooks: ``Connection.info``.
INFO_KEY = "accessguard.audit_hooks"


@dataclass(frozen=True)
class ChainKey:
    """One HMAC key: its id (stored in each event it signs) and its value (never stored)."""

    key_id: str
    value: Secret

    def sign(self, payload: bytes) -> str:
        """HMAC-SHA256 of ``payload`` under this key, hex."""
        return hmac.new(bytes.fromhex(self.value.reveal()), payload, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Identity:
    """Who is really acting, beside the declared actor: the Vault token's and the OS's view."""

    vault_name: str | None = None
    vault_entity: str | None = None
    os_user: str | None = None


@dataclass(frozen=True)
class Anchor:
    """A checkpoint of the chain head kept outside the database."""

    seq: int
    hash: str
    #: The first keyed event the anchor has seen (0: none yet), so a chain rewritten
    #: unkeyed from the start still disagrees with the anchor.
    keyed_from: int = 0
    #: The anchor's own version in its store (for check-and-set).
    version: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {"seq": self.seq, "hash": self.hash, "keyed_from": self.keyed_from}


class AnchorStore(Protocol):
    """Where checkpoints of the head live (Vault KV, written with check-and-set)."""

    @property
    def location(self) -> str:
        """Where the anchor is, for messages (``secret/<prefix>/_audit/anchor``)."""

    def read(self) -> Anchor | None:
        """The current anchor, or None if none was ever written."""

    def write(self, anchor: Anchor, *, cas: int) -> Anchor:
        """Write ``anchor`` only if the stored one is still version ``cas``; the new anchor."""


class AuditHooks(Protocol):
    """What the chain needs from above: keys, the authenticated identity, the anchor."""

    def signing_key(self) -> ChainKey | None:
        """The key new events are signed with; None when keying is not configured."""

    def key(self, key_id: str) -> ChainKey:
        """The key an event names (for ``verify``)."""

    def key_exists(self) -> bool:
        """Whether a signing key was ever created (without creating one)."""

    def identity(self) -> Identity:
        """The authenticated identity of this process (looked up once)."""

    def anchors(self) -> AnchorStore | None:
        """The anchor store; None when there is nowhere outside the database to anchor."""


def hooks_of(conn: Connection) -> AuditHooks | None:
    """The hooks attached to ``conn`` (by ``App.begin``), if any."""
    hooks: AuditHooks | None = conn.info.get(INFO_KEY)
    return hooks


def event_hash(fields: Mapping[str, Any], key: ChainKey | None) -> str:
    """The hash of one event's ``fields`` (everything but its own hash).

    ``fields`` holds the original columns; the identity columns and ``hash_key`` join
    the payload when any is set, so events written before they existed still verify.
    """
    payload: dict[str, Any] = {
        name: fields[name]
        for name in ("seq", "actor", "action", "target_type", "target", "run_id", "details")
    }
    occurred_at: datetime = fields["occurred_at"]
    payload["occurred_at"] = occurred_at.isoformat()
    payload["prev_hash"] = fields["prev_hash"]
    extra = ("hash_key", "vault_name", "vault_entity", "os_user")
    if any(fields.get(name) is not None for name in extra):
        payload.update({name: fields.get(name) for name in extra})
    data = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    if key is None:
        return hashlib.sha256(data).hexdigest()
    return key.sign(data)
