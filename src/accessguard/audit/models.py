"""AuditEvent and the chain head that makes removing the last event detectable.

ORM classes mapped onto the Core tables for the code not yet moved to records;
marked for deletion once nothing imports them (issue 15).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped

from accessguard.db import tables


class _Mapped(DeclarativeBase):
    """A private registry mapping these classes onto ``db/tables.py`` (no schema here)."""


class AuditEvent(_Mapped):
    """One change made by the tool; ``hash`` chains it to the event before it."""

    __table__ = tables.audit_events

    seq: Mapped[int]
    occurred_at: Mapped[datetime]
    actor: Mapped[str]
    action: Mapped[str]
    target_type: Mapped[str]
    target: Mapped[str]
    run_id: Mapped[str | None]
    details: Mapped[dict[str, Any]]
    prev_hash: Mapped[str]
    hash: Mapped[str]


class AuditHead(_Mapped):
    """The last event's sequence and hash, updated with every append (one row)."""

    __table__ = tables.audit_head

    id: Mapped[int]
    seq: Mapped[int]
    hash: Mapped[str]
