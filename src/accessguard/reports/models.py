"""Review campaigns and their items: who decided keep or revoke on which grant, and when.

ORM classes mapped onto the Core tables for the code not yet moved to records;
marked for deletion once nothing imports them (issue 15).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import DeclarativeBase, Mapped

from accessguard.db import tables

CAMPAIGN_STATUSES = ("open", "closed")
SCOPE_KINDS = ("all", "platform", "account")
DECISIONS = ("keep", "revoke")


class _Mapped(DeclarativeBase):
    """A private registry mapping these classes onto ``db/tables.py`` (no schema here)."""


class ReviewCampaign(_Mapped):
    """Active grants in a scope put before one reviewer, with a deadline."""

    __table__ = tables.review_campaigns

    id: Mapped[int]
    scope_kind: Mapped[str]
    scope_value: Mapped[str | None]
    reviewer_email: Mapped[str]
    due_date: Mapped[date]
    status: Mapped[str]
    item_count: Mapped[int]
    created_at: Mapped[datetime]
    created_by: Mapped[str]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None]

    @property
    def label(self) -> str:
        """How the campaign is named in reasons and messages."""
        return f"review campaign #{self.id}"

    @property
    def scope(self) -> str:
        """The scope as typed: ``all``, ``platform x`` or ``account brand-x``."""
        return self.scope_kind if not self.scope_value else f"{self.scope_kind} {self.scope_value}"


class ReviewItem(_Mapped):
    """One grant under review; the decision and its application are the attestation evidence."""

    __table__ = tables.review_items

    id: Mapped[int]
    campaign_id: Mapped[int]
    grant_id: Mapped[int]
    person_id: Mapped[int]
    account_id: Mapped[int]
    role: Mapped[str]
    via: Mapped[str]
    reviewer_email: Mapped[str]
    decision: Mapped[str | None]
    note: Mapped[str | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None]
    applied_at: Mapped[datetime | None]
    outcome: Mapped[str | None]
    outcome_message: Mapped[str | None]
