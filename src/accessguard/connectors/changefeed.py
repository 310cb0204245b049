"""Platform-side changes as a feed reconcile reads: who changed whose access, and when.

A connector whose platform keeps an activity log adopts the feed by adding one method,
``changes_since(when, *, until)``, returning the log's entries from ``when`` (aware UTC)
as ``Change`` values; ``has_change_feed`` (optional, default true) turns it off per
account. ``reconcile`` keeps a cursor per account (the time of its last read), asks for
the entries since then, drops those it already recorded (by ``fingerprint``: a platform
may only filter by day), and shows, stores and audits the rest. Nothing else is needed:
connectors without the method are reconciled as before.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class Change:
    """One entry of a platform's activity log."""

    occurred_at: datetime
    #: the platform's category of the change (TikTok: USER, ACCOUNT, ASSET, BUSINESS).
    kind: str
    #: the platform's own description of what changed.
    summary: str
    #: the platform id of who made the change, when the platform says.
    actor: str | None = None
    #: emails or platform ids of the people the change is about, when the platform says.
    subjects: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        """A stable id of the entry, so a re-read of an overlapping window is recognised."""
        parts = (self.occurred_at.isoformat(), self.actor or "", self.kind, self.summary)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "occurred_at": self.occurred_at.isoformat(),
            "kind": self.kind,
            "summary": self.summary,
            "actor": self.actor,
            "subjects": list(self.subjects),
        }


@runtime_checkable
class ChangeFeed(Protocol):
    """A connector that can read its platform's activity log."""

    def changes_since(self, when: datetime, *, until: datetime) -> list[Change]:
        """The log's entries at or after ``when``; ``until`` is now (a platform may need an end)."""
        ...


def change_feed(connector: object) -> ChangeFeed | None:
    """``connector`` as a change feed, or None if it has none (or it is off for this account)."""
    if isinstance(connector, ChangeFeed) and getattr(connector, "has_change_feed", True):
        return connector
    return None
