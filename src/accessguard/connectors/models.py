"""Reconcile runs, the accounts each one checked, and the drift it found.

Drift kinds: ``unmanaged`` (held on the platform, not in the inventory) and ``missing``
(an active grant the platform no longer shows). Reports read each account's drift from
its latest successful check (``drift.latest_drift``).

ORM classes mapped onto the Core tables for the code not yet moved to records;
marked for deletion once nothing imports them (issue 15).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped

from accessguard.db import tables

DRIFT_KINDS = ("unmanaged", "missing")
CHECK_STATUSES = ("ok", "error", "skipped")


class _Mapped(DeclarativeBase):
    """A private registry mapping these classes onto ``db/tables.py`` (no schema here)."""


class ReconcileRun(_Mapped):
    """One ``reconcile`` invocation."""

    __table__ = tables.reconcile_runs

    id: Mapped[str]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    actor: Mapped[str]
    scope: Mapped[str]
    status: Mapped[str]
    accounts_checked: Mapped[int]
    drift_count: Mapped[int]


class ReconcileCheck(_Mapped):
    """One account compared in one run (``ok``, ``error`` or ``skipped``)."""

    __table__ = tables.reconcile_checks

    id: Mapped[int]
    run_id: Mapped[str]
    account_id: Mapped[int]
    checked_at: Mapped[datetime]
    status: Mapped[str]
    connector: Mapped[str | None]
    holders: Mapped[int]
    grants: Mapped[int]
    error: Mapped[str | None]


class DriftItem(_Mapped):
    """One disagreement between a platform and the inventory."""

    __table__ = tables.drift_items

    id: Mapped[int]
    run_id: Mapped[str]
    check_id: Mapped[int]
    account_id: Mapped[int]
    account_name: Mapped[str]
    platform: Mapped[str]
    kind: Mapped[str]
    person_id: Mapped[int | None]
    grant_id: Mapped[int | None]
    email: Mapped[str | None]
    platform_id: Mapped[str | None]
    holder_name: Mapped[str | None]
    role: Mapped[str | None]
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
