"""What a platform's change feed adds to reconcile (pure): the window to read, and why drift is there.

A feed is read from the account's cursor (the time of the last read) less a margin, so
an entry the platform logged late is still seen (reconcile drops what it already
recorded); the first read covers ``FIRST_READ``. A drift item is explained by the
changes about its person: the change names them among its subjects, or its text holds
their email, platform id or name as a whole word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from accessguard.connectors.base import Holder
from accessguard.connectors.changefeed import Change

#: How far back the first read of an account's feed goes (TikTok's own default window).
FIRST_READ = timedelta(days=7)
#: How far before the cursor each read starts again, for entries logged late.
LATE_ENTRIES = timedelta(days=1)
_MIN_KEY = 3  # shorter names or ids would match inside unrelated words


def read_from(cursor: datetime | None, now: datetime) -> datetime:
    """Where the next read of a feed starts."""
    return now - FIRST_READ if cursor is None else min(cursor, now) - LATE_ENTRIES


def is_about(change: Change, keys: set[str]) -> bool:
    """Whether ``change`` concerns whoever ``keys`` (lower-cased email, id, name) identify."""
    if {s.lower() for s in change.subjects} & keys:
        return True
    text = change.summary.lower()
    return any(
        re.search(rf"(?<![\w@.-]){re.escape(key)}(?![\w@-]|\.\w)", text)
        for key in keys
        if len(key) >= _MIN_KEY
    )


def explain(
    item: dict[str, Any], changes: Sequence[Change], holders: Sequence[Holder] = ()
) -> list[dict[str, Any]]:
    """The changes about one drift item's person, oldest first (their why and when)."""
    keys = {str(item[k]).strip().lower() for k in ("email", "platform_id", "name") if item.get(k)}
    return [view(change, holders) for change in changes if is_about(change, keys)]


def view(change: Change, holders: Sequence[Holder] = ()) -> dict[str, Any]:
    """A change as reconcile prints it; ``actor_name`` from the holders when the actor is one."""
    names = {h.platform_id: h.email or h.name for h in holders}
    return {**change.to_dict(), "actor_name": names.get(change.actor or "")}
