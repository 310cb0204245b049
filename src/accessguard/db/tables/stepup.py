"""Tables: step-up (0007)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from accessguard.db.tables._meta import metadata
from accessguard.db.types import UTCDateTime

# -- step-up (0007) ------------------------------------------------------------------------

#: Step-up codes Vault accepted, one row per operator and code: the unique constraint
#: makes a replayed code (or two commands racing with one code) fail to insert.
step_up_uses = Table(
    "step_up_uses",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("operator", String(200), nullable=False),
    Column("code_digest", String(64), nullable=False),
    Column("used_at", UTCDateTime(), nullable=False),
    UniqueConstraint("operator", "code_digest", name="uq_step_up_uses_operator_code"),
)

#: Step-up codes Vault refused, per operator: enough of them in a window locks step-up.
step_up_failures = Table(
    "step_up_failures",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("operator", String(200), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Index("ix_step_up_failures_operator_at", "operator", "at"),
)
