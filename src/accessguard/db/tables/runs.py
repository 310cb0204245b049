"""Tables: playbook runs (0003; evidence files and resumes, 0013)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from accessguard.db.tables._meta import metadata
from accessguard.db.types import UTCDateTime

# -- playbook runs (0003) ----------------------------------------------------------------

#: One execution of a playbook for a subject; ``plan`` is the exact plan it executes.
runs = Table(
    "runs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("subject", String(320), nullable=False, index=True),
    Column("playbook", String(100), nullable=False),
    Column("playbook_digest", String(64), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("plan", JSON(), nullable=False),
    Column("actor", String(320), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    #: Who resumed the run last (0013): the actor of everything it did since.
    Column("resumed_by", String(320), nullable=True),
)

run_steps = Table(
    "run_steps",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("run_id", String(40), ForeignKey("runs.id"), nullable=False),
    Column("step_id", String(100), nullable=False),
    Column("position", Integer(), nullable=False),
    Column("action", String(60), nullable=False),
    Column("status", String(20), nullable=False),
    Column("started_at", UTCDateTime(), nullable=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    UniqueConstraint("run_id", "step_id", name="uq_run_steps_run_step"),
)

run_items = Table(
    "run_items",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("run_id", String(40), ForeignKey("runs.id"), nullable=False),
    Column("step_id", String(100), nullable=False),
    Column("item_id", String(100), nullable=False),
    Column("position", Integer(), nullable=False),
    Column("label", Text(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer(), nullable=False, default=0),
    Column("result", JSON(), nullable=True),
    Column("instructions", Text(), nullable=True),
    Column("evidence", Text(), nullable=True),
    #: An evidence file's SHA-256 and name (0013); the file itself is never stored.
    Column("evidence_sha256", String(64), nullable=True),
    Column("evidence_file", String(255), nullable=True),
    Column("confirmed_by", String(320), nullable=True),
    Column("confirmed_at", UTCDateTime(), nullable=True),
    Column("started_at", UTCDateTime(), nullable=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    UniqueConstraint("run_id", "step_id", "item_id", name="uq_run_items_run_step_item"),
    Index("ix_run_items_run_status", "run_id", "status"),
)

#: One row per subject with a run in progress; the primary key makes the INSERT the lock.
run_locks = Table(
    "run_locks",
    metadata,
    Column("subject", String(320), primary_key=True),
    Column("run_id", String(40), nullable=False),
    Column("holder", String(200), nullable=False),
    Column("acquired_at", UTCDateTime(), nullable=False),
    #: Refreshed by the holder while it runs (0013); a lease older than ``lock.LEASE`` is dead.
    Column("heartbeat_at", UTCDateTime(), nullable=True),
)
