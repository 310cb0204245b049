"""Tables: platform change feeds read by reconcile (0017)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint

from accessguard.db.tables._meta import metadata
from accessguard.db.types import UTCDateTime

# -- change feeds (0017) ----------------------------------------------------------------------

#: Per account, the time of the last successful read of its platform's activity log:
#: the next reconcile asks for the entries since then.
changefeed_cursors = Table(
    "changefeed_cursors",
    metadata,
    Column("account_id", Integer(), ForeignKey("accounts.id"), primary_key=True),
    Column("read_until", UTCDateTime(), nullable=False),
    Column("run_id", String(40), ForeignKey("reconcile_runs.id"), nullable=False),
)

#: Entries of a platform's activity log as reconcile recorded them, once each
#: (``fingerprint``: overlapping reads are recognised).
platform_changes = Table(
    "platform_changes",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("run_id", String(40), ForeignKey("reconcile_runs.id"), nullable=False, index=True),
    Column("account_id", Integer(), ForeignKey("accounts.id"), nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("actor", String(200), nullable=True),
    Column("summary", Text(), nullable=False),
    Column("subjects", JSON(), nullable=False, default=list),
    Column("fingerprint", String(64), nullable=False),
    UniqueConstraint("account_id", "fingerprint", name="uq_platform_changes_account_id"),
)
