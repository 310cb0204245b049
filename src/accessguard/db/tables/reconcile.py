"""Tables: reconciliation (0004)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from accessguard.db.tables._meta import metadata
from accessguard.db.types import UTCDateTime

# -- reconciliation (0004) -----------------------------------------------------------------

reconcile_runs = Table(
    "reconcile_runs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("started_at", UTCDateTime(), nullable=False, index=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("actor", String(320), nullable=False),
    Column("scope", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("accounts_checked", Integer(), nullable=False, default=0),
    Column("drift_count", Integer(), nullable=False, default=0),
)

reconcile_checks = Table(
    "reconcile_checks",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("run_id", String(40), ForeignKey("reconcile_runs.id"), nullable=False, index=True),
    Column("account_id", Integer(), ForeignKey("accounts.id"), nullable=False),
    Column("checked_at", UTCDateTime(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("connector", String(60), nullable=True),
    Column("holders", Integer(), nullable=False, default=0),
    Column("grants", Integer(), nullable=False, default=0),
    Column("error", Text(), nullable=True),
    Index("ix_reconcile_checks_account_time", "account_id", "checked_at"),
)

drift_items = Table(
    "drift_items",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("run_id", String(40), ForeignKey("reconcile_runs.id"), nullable=False, index=True),
    Column("check_id", Integer(), ForeignKey("reconcile_checks.id"), nullable=False, index=True),
    Column("account_id", Integer(), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("account_name", String(100), nullable=False),
    Column("platform", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("person_id", Integer(), ForeignKey("people.id"), nullable=True),
    Column("grant_id", Integer(), ForeignKey("grants.id"), nullable=True),
    Column("email", String(320), nullable=True),
    Column("platform_id", String(200), nullable=True),
    Column("holder_name", String(200), nullable=True),
    Column("role", String(200), nullable=True),
    Column("found_at", UTCDateTime(), nullable=False),
)
