"""Tables: access reviews (0005)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from accessguard.db.tables._meta import metadata
from accessguard.db.types import UTCDateTime

# -- access reviews (0005) -----------------------------------------------------------------

review_campaigns = Table(
    "review_campaigns",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("scope_kind", String(20), nullable=False),
    Column("scope_value", String(200), nullable=True),
    Column("reviewer_email", String(320), nullable=False),
    Column("due_date", Date(), nullable=False),
    Column("status", String(20), nullable=False, default="open", index=True),
    Column("item_count", Integer(), nullable=False, default=0),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(320), nullable=False),
    Column("closed_at", UTCDateTime(), nullable=True),
    Column("closed_by", String(320), nullable=True),
)

review_items = Table(
    "review_items",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("campaign_id", Integer(), ForeignKey("review_campaigns.id"), nullable=False),
    Column("grant_id", Integer(), ForeignKey("grants.id"), nullable=False, index=True),
    Column("person_id", Integer(), ForeignKey("people.id"), nullable=False),
    Column("account_id", Integer(), ForeignKey("accounts.id"), nullable=False),
    Column("role", String(60), nullable=False),
    Column("via", String(20), nullable=False),
    Column("reviewer_email", String(320), nullable=False),
    Column("decision", String(20), nullable=True),
    Column("note", Text(), nullable=True),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("decided_by", String(320), nullable=True),
    Column("applied_at", UTCDateTime(), nullable=True),
    Column("outcome", String(20), nullable=True),
    Column("outcome_message", Text(), nullable=True),
    Index("ix_review_items_campaign_decision", "campaign_id", "decision"),
)
