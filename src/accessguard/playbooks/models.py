"""Run state: runs, their steps and items, and the one-run-per-subject lock.

Item statuses: pending -> running (intent recorded) -> changed | unchanged | failed |
waiting; a waiting item becomes done when a person confirms it with evidence
(``playbooks/state.py`` reads and writes these tables).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accessguard.db.base import Base


class Run(Base):
    """One execution of a playbook for a subject; ``plan`` is the exact plan it executes."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject: Mapped[str] = mapped_column(String(320), index=True)
    playbook: Mapped[str] = mapped_column(String(100))
    playbook_digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), index=True)
    # Loaded on first use: most writes to a run (its status) never need its plan.
    plan: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    actor: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class RunStep(Base):
    """A step of a run, in playbook order."""

    __tablename__ = "run_steps"
    __table_args__ = (UniqueConstraint("run_id", "step_id", name="uq_run_steps_run_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"))
    step_id: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class RunItem(Base):
    """One item of a step (a grant, a credential, an account, or the subject itself)."""

    __tablename__ = "run_items"
    __table_args__ = (
        UniqueConstraint("run_id", "step_id", "item_id", name="uq_run_items_run_step_item"),
        Index("ix_run_items_run_status", "run_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"))
    step_id: Mapped[str] = mapped_column(String(100))
    item_id: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any] | None] = mapped_column()
    instructions: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    confirmed_by: Mapped[str | None] = mapped_column(String(320))
    confirmed_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class RunLock(Base):
    """One row per subject with a run in progress; the primary key makes the INSERT the lock."""

    __tablename__ = "run_locks"

    subject: Mapped[str] = mapped_column(String(320), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(40))
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime]
