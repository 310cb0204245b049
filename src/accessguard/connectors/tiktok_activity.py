"""The TikTok Business Center activity log (``GET /open_api/v1.3/changelog/get/``) as a change feed.

TikTok filters the log by day only (``filtering.start_date`` and ``end_date``,
``YYYY-MM-DD`` in UTC, both or neither) and stamps each entry ``time`` as
``YYYY-MM-DD HH:MM:SS`` in UTC, with ``activity_type`` (USER, ACCOUNT, ASSET,
BUSINESS), ``operator_id`` (who made the change) and ``activity_log`` (what changed, in
words). Entries before ``when`` on the first day are dropped here; reconcile drops the
ones it has already recorded. The log names people in its text only: the emails in it
become the change's ``subjects``.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from accessguard.connectors.changefeed import Change
from accessguard.errors import PermanentConnectorError

if TYPE_CHECKING:
    from accessguard.connectors.tiktok import TikTokConnector

_PATH = "/open_api/v1.3/changelog/get/"
_PAGE = 50  # the documented maximum
_TIME = "%Y-%m-%d %H:%M:%S"
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def read_activity_log(
    connector: TikTokConnector, when: datetime, *, until: datetime
) -> list[Change]:
    """Every entry of the connector's Business Center log from ``when``, oldest first."""
    start, end = when.astimezone(UTC), until.astimezone(UTC)
    params = {
        "bc_id": connector.settings["bc_id"],
        "lang": "en",
        "sort_field": "operation_time",
        "sort_type": "ASC",
        "filtering": json.dumps(
            {
                "start_date": start.strftime("%Y-%m-%d"),
                "end_date": max(start, end).strftime("%Y-%m-%d"),
                "activity_type": "ALL",
            }
        ),
    }
    changes = [
        _change(connector.label, entry)
        for entry in connector.pages(_PATH, params, size=_PAGE, key="changelog_list")
    ]
    return sorted((c for c in changes if c.occurred_at >= start), key=lambda c: c.occurred_at)


def _change(label: str, entry: Any) -> Change:
    if not isinstance(entry, dict):
        raise PermanentConnectorError(f"{label}: an activity log entry is not an object")
    try:
        occurred = datetime.strptime(str(entry.get("time")), _TIME).replace(tzinfo=UTC)
    except ValueError:
        raise PermanentConnectorError(
            f"{label}: activity log time {str(entry.get('time'))[:40]!r} is not "
            "YYYY-MM-DD HH:MM:SS",
            code="connector-bad-answer",
        ) from None
    text = str(entry.get("activity_log") or "")
    emails = dict.fromkeys(e.lower().rstrip(".") for e in _EMAIL.findall(text))
    return Change(
        occurred_at=occurred,
        kind=str(entry.get("activity_type") or "UNKNOWN"),
        summary=text,
        actor=str(entry["operator_id"]) if entry.get("operator_id") else None,
        subjects=tuple(emails),
    )
