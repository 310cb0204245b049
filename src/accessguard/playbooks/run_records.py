"""A run, its steps and its items as typed records: what the run-state queries return.

Plain frozen values (statuses as ``status.py`` enums), built from Core rows of
``runs``, ``run_steps`` and ``run_items``; a run can hold thousands of items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, RowMapping, Table

from accessguard.db.tables import run_items as _ITEMS
from accessguard.db.tables import run_steps as _STEPS
from accessguard.db.tables import runs as _RUNS
from accessguard.playbooks.plan import Plan
from accessguard.playbooks.status import ItemStatus, RunStatus, StepStatus


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A run; ``plan`` (its stored plan JSON) is None when it was read without it."""

    id: str
    subject: str
    playbook: str
    playbook_digest: str
    status: RunStatus
    actor: str
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    #: Who resumed the run last: the actor of everything it did since (None: never resumed).
    resumed_by: str | None = None
    plan: dict[str, Any] | None = None

    @classmethod
    def of(cls, row: RowMapping) -> RunRecord:
        """The record of a row of ``RUN_COLUMNS`` (plus ``plan``, if selected)."""
        values = dict(row)
        return cls(**{**values, "status": RunStatus(values["status"])})

    def stored_plan(self) -> Plan:
        """The plan the run executes (the record must have been read with its plan)."""
        if self.plan is None:
            raise ValueError(f"run {self.id} was read without its plan")
        return Plan.from_dict(self.plan)

    @property
    def current_actor(self) -> str:
        """Who the run acts for now: the last actor who resumed it, else the one who started it."""
        return self.resumed_by or self.actor


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One step of a run."""

    run_id: str
    step_id: str
    position: int
    action: str
    status: StepStatus
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, row: RowMapping) -> StepRecord:
        """The record of a row of ``STEP_COLUMNS``."""
        values = dict(row)
        return cls(**{**values, "status": StepStatus(values["status"])})


@dataclass(frozen=True, slots=True)
class ItemState:
    """Where an item is: what the runner needs to resume it (no JSON)."""

    item_id: str
    status: ItemStatus
    attempts: int

    @classmethod
    def of(cls, row: RowMapping) -> ItemState:
        """The record of a row of ``ITEM_STATE_COLUMNS``."""
        return cls(row["item_id"], ItemStatus(row["status"]), row["attempts"])


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """One item of a run with its recorded outcome, instructions and confirmation."""

    run_id: str
    step_id: str
    item_id: str
    position: int
    label: str
    status: ItemStatus
    attempts: int
    #: The action's result (``ActionResult.to_dict``, secrets redacted), once it acted.
    result: dict[str, Any] | None
    instructions: str | None
    evidence: str | None
    #: The evidence file's SHA-256 and name (the file itself is never stored).
    evidence_sha256: str | None
    evidence_file: str | None
    confirmed_by: str | None
    confirmed_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, row: RowMapping) -> ItemRecord:
        """The record of a row of ``ITEM_COLUMNS``."""
        values = dict(row)
        return cls(**{**values, "status": ItemStatus(values["status"])})


def _columns(table: Table, names: tuple[str, ...]) -> list[Column[Any]]:
    return [table.c[name] for name in names]


#: A run's columns without its plan (most reads of a run never need the plan's JSON).
RUN_COLUMNS = _columns(_RUNS, tuple(n for n in RunRecord.__slots__ if n != "plan"))
STEP_COLUMNS = _columns(_STEPS, StepRecord.__slots__)
ITEM_COLUMNS = _columns(_ITEMS, ItemRecord.__slots__)
ITEM_STATE_COLUMNS = _columns(_ITEMS, ItemState.__slots__)
