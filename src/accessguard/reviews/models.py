"""The review tables as ORM models: the schema Alembic and ``db/tables.py`` follow.

The code reads and writes them through the Core tables (``reviews/campaigns.py``); these
classes only describe the schema.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accessguard.db.base import Base


class ReviewCampaign(Base):
    """Active grants in a scope put before one reviewer, with a deadline."""

    __tablename__ = "review_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_kind: Mapped[str] = mapped_column(String(20))
    scope_value: Mapped[str | None] = mapped_column(String(200))
    reviewer_email: Mapped[str] = mapped_column(String(320))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(320))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(320))


class ReviewItem(Base):
    """One grant under review; the decision and its application are the attestation evidence."""

    __tablename__ = "review_items"
    __table_args__ = (Index("ix_review_items_campaign_decision", "campaign_id", "decision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("review_campaigns.id"))
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    role: Mapped[str] = mapped_column(String(60))
    via: Mapped[str] = mapped_column(String(20))
    reviewer_email: Mapped[str] = mapped_column(String(320))
    decision: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(320))
    applied_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_message: Mapped[str | None] = mapped_column(Text)
