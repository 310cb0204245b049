"""Reconcile runs, the accounts each one checked, and the drift it found.

Drift kinds: ``unmanaged`` (held on the platform, not in the inventory) and ``missing``
(an active grant the platform no longer shows). Reports read each account's drift from
its latest successful check (``drift.latest_drift``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accessguard.db.base import Base

DRIFT_KINDS = ("unmanaged", "missing")
CHECK_STATUSES = ("ok", "error", "skipped")


class ReconcileRun(Base):
    """One ``reconcile`` invocation."""

    __tablename__ = "reconcile_runs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    actor: Mapped[str] = mapped_column(String(320))
    scope: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    accounts_checked: Mapped[int] = mapped_column(Integer, default=0)
    drift_count: Mapped[int] = mapped_column(Integer, default=0)


class ReconcileCheck(Base):
    """One account compared in one run (``ok``, ``error`` or ``skipped``)."""

    __tablename__ = "reconcile_checks"
    __table_args__ = (Index("ix_reconcile_checks_account_time", "account_id", "checked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("reconcile_runs.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    checked_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    connector: Mapped[str | None] = mapped_column(String(60))
    holders: Mapped[int] = mapped_column(Integer, default=0)
    grants: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class DriftItem(Base):
    """One disagreement between a platform and the inventory."""

    __tablename__ = "drift_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("reconcile_runs.id"), index=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("reconcile_checks.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    account_name: Mapped[str] = mapped_column(String(100))
    platform: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("grants.id"))
    email: Mapped[str | None] = mapped_column(String(320))
    platform_id: Mapped[str | None] = mapped_column(String(200))
    holder_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    found_at: Mapped[datetime]

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape of a drift item."""
        return {
            "run_id": self.run_id,
            "account": self.account_name,
            "platform": self.platform,
            "kind": self.kind,
            "email": self.email,
            "platform_id": self.platform_id,
            "name": self.holder_name,
            "role": self.role,
            "grant_id": self.grant_id,
            "found_at": self.found_at.isoformat(),
        }
