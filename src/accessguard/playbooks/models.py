"""Run state: runs, their steps and items, and the one-run-per-subject lock.

Item statuses: pending -> running (intent recorded) -> changed | unchanged | failed |
waiting; a waiting item becomes done when a person confirms it with evidence
(``playbooks/state.py`` reads and writes these tables).

ORM classes mapped onto the Core tables for the code not yet moved to records;
marked for deletion once nothing imports them (issue 15).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped, deferred

from accessguard.db import tables


class _Mapped(DeclarativeBase):
    """A private registry mapping these classes onto ``db/tables.py`` (no schema here)."""


class Run(_Mapped):
    """One execution of a playbook for a subject; ``plan`` is the exact plan it executes."""

    __table__ = tables.runs

    id: Mapped[str]
    subject: Mapped[str]
    playbook: Mapped[str]
    playbook_digest: Mapped[str]
    status: Mapped[str]
    # Loaded on first use: most writes to a run (its status) never need its plan.
    plan: Mapped[dict[str, Any]] = deferred(tables.runs.c.plan)
    actor: Mapped[str]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class RunStep(_Mapped):
    """A step of a run, in playbook order."""

    __table__ = tables.run_steps

    id: Mapped[int]
    run_id: Mapped[str]
    step_id: Mapped[str]
    position: Mapped[int]
    action: Mapped[str]
    status: Mapped[str]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class RunItem(_Mapped):
    """One item of a step (a grant, a credential, an account, or the subject itself)."""

    __table__ = tables.run_items

    id: Mapped[int]
    run_id: Mapped[str]
    step_id: Mapped[str]
    item_id: Mapped[str]
    position: Mapped[int]
    label: Mapped[str]
    status: Mapped[str]
    attempts: Mapped[int]
    result: Mapped[dict[str, Any] | None]
    instructions: Mapped[str | None]
    evidence: Mapped[str | None]
    confirmed_by: Mapped[str | None]
    confirmed_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class RunLock(_Mapped):
    """One row per subject with a run in progress; the primary key makes the INSERT the lock."""

    __table__ = tables.run_locks

    subject: Mapped[str]
    run_id: Mapped[str]
    holder: Mapped[str]
    acquired_at: Mapped[datetime]
