"""Runs as JSON: the shapes `runs show`, `runs list` and a finished run's summary print."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from accessguard.db.tables import runs as _RUNS
from accessguard.playbooks import lock
from accessguard.playbooks.run_records import RUN_COLUMNS, ItemRecord, ItemState, RunRecord
from accessguard.playbooks.state import get_run, item_states, run_items, run_steps, stop_reason
from accessguard.playbooks.status import ItemStatus, RunStatus, summary_counts

if TYPE_CHECKING:
    from accessguard.app import App


def item_to_dict(item: ItemRecord) -> dict[str, Any]:
    """The stable JSON shape of a run item."""
    return {
        "step": item.step_id,
        "item": item.item_id,
        "label": item.label,
        "status": item.status,
        "attempts": item.attempts,
        "message": (item.result or {}).get("message"),
        "details": (item.result or {}).get("details", {}),
        "instructions": item.instructions,
        "evidence": item.evidence,
        "evidence_file": item.evidence_file,
        "evidence_sha256": item.evidence_sha256,
        "confirmed_by": item.confirmed_by,
        "confirmed_at": item.confirmed_at.isoformat() if item.confirmed_at else None,
        "started_at": item.started_at.isoformat() if item.started_at else None,
        "finished_at": item.finished_at.isoformat() if item.finished_at else None,
    }


def shown_status(session: Connection, run: RunRecord, now: datetime) -> RunStatus:
    """The run's status as people should see it: ``interrupted`` for a running run nobody runs.

    A run is stored ``running`` while a process executes it and holds its subject's
    lock; if that process was killed, the lock is held by a dead holder (its pid gone on
    this host, its heartbeat older than ``lock.LEASE`` on another) or by nobody (after
    `runs unlock`), and the run is shown as interrupted, not running.
    """
    if run.status != RunStatus.RUNNING:
        return run.status
    holder = lock.holder_of(session, run.subject)
    if holder is None or holder.run_id != run.id or holder.is_dead(now):
        return RunStatus.INTERRUPTED
    return run.status


def run_to_dict(
    session: Connection, run: RunRecord, *, now: datetime, with_items: bool = True
) -> dict[str, Any]:
    """The stable JSON shape of a run, with its steps and items (``now``: the clock's time)."""
    # A run can hold thousands of items; a listing only counts them.
    records = run_items(session, run.id) if with_items else []
    items: Sequence[ItemRecord | ItemState] = (
        records if with_items else item_states(session, run.id)
    )
    status = shown_status(session, run, now)
    stopped_by = None
    if run.status in (RunStatus.FAILED, RunStatus.PARTIAL):  # the failed items' results say why
        failed = records if with_items else run_items(session, run.id, status=ItemStatus.FAILED)
        stopped_by = stop_reason(failed, run.id)
    data: dict[str, Any] = {
        "id": run.id,
        "subject": run.subject,
        "playbook": run.playbook,
        "status": status,
        "hint": f"accessguard runs resume {run.id}" if status == RunStatus.INTERRUPTED else None,
        "actor": run.actor,
        "resumed_by": run.resumed_by,
        "created_at": run.created_at.isoformat(),
        "updated_at": run.updated_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "counts": summary_counts(item.status for item in items),
        "stopped_by": stopped_by,
        "successor": (run.plan or {}).get("successor"),
        "warnings": (run.plan or {}).get("warnings", []),
    }
    if with_items:
        by_step: dict[str, list[dict[str, Any]]] = {}
        for record in records:
            by_step.setdefault(record.step_id, []).append(item_to_dict(record))
        data["steps"] = [
            {
                "id": s.step_id,
                "action": s.action,
                "status": s.status,
                "items": by_step.get(s.step_id, []),
            }
            for s in run_steps(session, run.id)
        ]
    return data


def list_runs(
    session: Connection,
    *,
    now: datetime,
    subject: str | None = None,
    status: str | None = None,
    limit: int = 100,
) -> list[RunRecord]:
    """Recent runs first, with their plans (``interrupted``: running runs nobody runs)."""
    runs = _RUNS.c
    query = select(*RUN_COLUMNS, runs.plan).order_by(runs.created_at.desc(), runs.id).limit(limit)
    if subject:
        query = query.where(runs.subject == subject.strip().lower())
    # Interrupted runs are stored as running: both are told apart by their lock holder.
    alive = status in (RunStatus.RUNNING, RunStatus.INTERRUPTED)
    if status:
        query = query.where(runs.status == (RunStatus.RUNNING if alive else status))
    found = [RunRecord.of(row._mapping) for row in session.execute(query)]
    if alive:
        return [r for r in found if shown_status(session, r, now) == status]
    return found


def run_summary(app: App, run_id: str) -> dict[str, Any]:
    """The run as a JSON-ready dict with its steps and items."""
    with app.begin() as conn:
        return run_to_dict(conn, get_run(conn, run_id), now=app.clock.now())
