"""CSV imports (HR feed, accounts, grants): validate every row, plan, then apply the plan.

Each import is all or nothing: any bad row raises one ``CsvInputError`` naming
``file:row:column`` before anything is written. ``dry_run`` returns the same plan
without writing. Writes go through the audited services in people/accounts/grants.
The HR feed lives in ``hrfeed``, accounts and grants in their own modules; this is
the one place commands import them from.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection

from accessguard.clock import Clock
from accessguard.inventory.account_import import import_accounts
from accessguard.inventory.csvinput import Change
from accessguard.inventory.feedrows import FIELD_ALIASES, PEOPLE_COLUMNS, PEOPLE_OPTIONAL
from accessguard.inventory.grant_import import import_grants
from accessguard.inventory.hrfeed import FeedOptions, FeedResult, import_feed

__all__ = [
    "FIELD_ALIASES",
    "PEOPLE_COLUMNS",
    "PEOPLE_OPTIONAL",
    "Change",
    "FeedOptions",
    "FeedResult",
    "import_accounts",
    "import_feed",
    "import_grants",
    "import_people",
]


def import_people(
    conn: Connection, clock: Clock, actor: str, path: Path, *, dry_run: bool = False
) -> list[Change]:
    """Apply the HR feed (adds, updates, leavers, rehires); all or nothing; the changes."""
    return import_feed(conn, clock, actor, path, FeedOptions(dry_run=dry_run)).changes
