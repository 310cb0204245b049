"""Persisted run state: create a run from a plan, record each item's intent and outcome, summarise."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    bindparam,
    func,
    insert,
    literal,
    select,
    update,
)

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.db.tables import run_items as _ITEMS
from accessguard.db.tables import run_steps as _STEPS
from accessguard.db.tables import runs as _RUNS
from accessguard.errors import ConflictError, NotFoundError
from accessguard.playbooks.evidence import Evidence
from accessguard.playbooks.plan import Plan
from accessguard.playbooks.run_records import (
    ITEM_COLUMNS,
    ITEM_STATE_COLUMNS,
    RUN_COLUMNS,
    STEP_COLUMNS,
    ItemRecord,
    ItemState,
    RunRecord,
    StepRecord,
)
from accessguard.playbooks.status import (
    FINISHED_STEP,
    SETTLED_RUN,
    UNFINISHED_RUN,
    ItemStatus,
    RunStatus,
    StepStatus,
    summary_counts,
)
from accessguard.results import ActionResult
from accessguard.secret import redact

#: Item failures that stop the whole run: Vault itself is unusable, so every later item
#: that needs it would fail the same way. What to do, for the operator ({run}: the run id).
RUN_STOPPERS = {
    "vault-sealed": "Vault is sealed: unseal it (`bao operator unseal`), "
    "then `accessguard runs resume {run}`",
    "vault-unavailable": "Vault is unreachable or failing: once `accessguard vault status` "
    "answers again, `accessguard runs resume {run}`",
    "vault-forbidden": "Vault refused the tool's token (expired, or its policy is missing): "
    "fix it (`accessguard vault status`), then `accessguard runs resume {run}`",
}


def new_run_id() -> str:
    """A short unique run id."""
    return f"run-{uuid.uuid4().hex[:12]}"


def unfinished_runs(session: Connection, subject: str) -> list[RunRecord]:
    """Runs for ``subject`` that still have work or manual steps open (without plans)."""
    runs = _RUNS.c
    rows = session.execute(
        select(*RUN_COLUMNS)
        .where(runs.subject == subject, runs.status.in_(UNFINISHED_RUN))
        .order_by(runs.created_at)
    )
    return [RunRecord.of(row._mapping) for row in rows]


def create_run(
    session: Connection,
    clock: Clock,
    actor: str,
    plan: Plan,
    *,
    run_id: str,
    allow_unfinished: bool = False,
) -> None:
    """Store the run, its steps and every item as pending (the caller holds the subject's lock)."""
    if not allow_unfinished:
        for other in unfinished_runs(session, plan.email):
            raise ConflictError(
                f"a run for {plan.email} is in progress: {other.id} ({other.status})",
                hint=f"continue it with `accessguard runs resume {other.id}` or complete its manual steps "
                "with `accessguard runs confirm`; `offboard --allow-unfinished` starts a new run anyway",
                code="run-in-progress",
            )
    now = clock.now()
    session.execute(
        insert(_RUNS).values(
            id=run_id,
            subject=plan.email,
            playbook=plan.playbook,
            playbook_digest=plan.playbook_digest,
            status=RunStatus.RUNNING,
            plan=plan.to_dict(),
            actor=actor,
            created_at=now,
            updated_at=now,
        )
    )
    # Two multi-row INSERTs for the steps and items (a plan can hold thousands).
    session.execute(
        insert(_STEPS),
        [
            {
                "run_id": run_id,
                "step_id": step.id,
                "position": position,
                "action": step.action,
                "status": StepStatus.SKIPPED if step.skipped else StepStatus.PENDING,
            }
            for position, step in enumerate(plan.steps)
        ],
    )
    items = [
        {
            "run_id": run_id,
            "step_id": step.id,
            "item_id": item.id,
            "position": index,
            "label": item.label,
            "status": ItemStatus.PENDING,
            "attempts": 0,
        }
        for step in plan.steps
        for index, item in enumerate(step.items)
    ]
    if items:
        session.execute(insert(_ITEMS), items)
    record(
        session,
        clock,
        actor=actor,
        action=AuditAction.RUN_START,
        target_type="person",
        target=plan.email,
        run_id=run_id,
        details={
            "playbook": plan.playbook,
            "digest": plan.playbook_digest,
            "items": plan.item_count,
            "successor": plan.successor,
            "force": plan.force,
        },
    )


def get_run(session: Connection, run_id: str, *, plan: bool = True) -> RunRecord:
    """The run with ``run_id`` (without its plan when ``plan`` is False); NotFoundError otherwise."""
    columns = [*RUN_COLUMNS, _RUNS.c.plan] if plan else RUN_COLUMNS
    run = session.execute(select(*columns).where(_RUNS.c.id == run_id)).first()
    if run is None:
        raise NotFoundError(
            f"no run {run_id!r}", hint="see `accessguard runs list`", code="run-not-found"
        )
    return RunRecord.of(run._mapping)


def _items_of_run(query: Select[Any], run_id: str, step_id: str | None) -> Select[Any]:
    """``query`` narrowed to one run's items (optionally one step's), in plan order."""
    items = _ITEMS.c
    query = query.where(items.run_id == run_id)
    if step_id is not None:
        query = query.where(items.step_id == step_id)
    return query.order_by(items.id)


def run_items(
    session: Connection, run_id: str, step_id: str | None = None, *, status: str | None = None
) -> list[ItemRecord]:
    """A run's items in plan order (optionally one step's, or those in one status)."""
    query = select(*ITEM_COLUMNS)
    if status is not None:
        query = query.where(_ITEMS.c.status == status)
    return [
        ItemRecord.of(row._mapping)
        for row in session.execute(_items_of_run(query, run_id, step_id))
    ]


def item_states(session: Connection, run_id: str, step_id: str | None = None) -> list[ItemState]:
    """Where a run's items are (id, status, attempts): what the runner needs, no JSON."""
    query = _items_of_run(select(*ITEM_STATE_COLUMNS), run_id, step_id)
    return [ItemState.of(row._mapping) for row in session.execute(query)]


def run_steps(session: Connection, run_id: str) -> list[StepRecord]:
    """A run's steps in plan order."""
    steps = _STEPS.c
    query = select(*STEP_COLUMNS).where(steps.run_id == run_id).order_by(steps.position)
    return [StepRecord.of(row._mapping) for row in session.execute(query)]


def _item_where(run_id: str, step_id: str, item_id: str) -> ColumnElement[bool]:
    items = _ITEMS.c
    return (items.run_id == run_id) & (items.step_id == step_id) & (items.item_id == item_id)


def get_item(session: Connection, run_id: str, step_id: str, item_id: str) -> ItemRecord:
    """One item of a run, locked for update."""
    item = session.execute(
        select(*ITEM_COLUMNS).where(_item_where(run_id, step_id, item_id)).with_for_update()
    ).first()
    if item is None:
        raise NotFoundError(f"run {run_id} has no item {item_id!r} in step {step_id!r}")
    return ItemRecord.of(item._mapping)


def mark_confirmed(
    session: Connection,
    clock: Clock,
    run_id: str,
    step_id: str,
    item_id: str,
    *,
    evidence: Evidence,
    actor: str,
) -> ItemRecord:
    """Mark a waiting item done with (redacted) evidence and its file's digest; the updated item."""
    session.execute(
        update(_ITEMS)
        .where(_item_where(run_id, step_id, item_id))
        .values(
            status=ItemStatus.DONE,
            evidence=redact(evidence.note),
            evidence_sha256=evidence.file_sha256,
            evidence_file=evidence.file_name,
            confirmed_by=actor,
            confirmed_at=clock.now(),
        )
    )
    return get_item(session, run_id, step_id, item_id)


def mark_intent(session: Connection, clock: Clock, run_id: str, step_id: str, item_id: str) -> None:
    """Record that the item is about to act (before any side effect): one UPDATE."""
    mark_intents(session, clock, run_id, step_id, [item_id])


def mark_intents(
    session: Connection, clock: Clock, run_id: str, step_id: str, item_ids: Sequence[str]
) -> None:
    """Record that these items of one step are about to act: one UPDATE for all of them."""
    items = _ITEMS.c
    done = session.execute(
        update(_ITEMS)
        .where(items.run_id == run_id, items.step_id == step_id, items.item_id.in_(item_ids))
        .values(
            status=ItemStatus.RUNNING,
            attempts=items.attempts + 1,
            started_at=clock.now(),
            finished_at=None,
        )
    )
    if done.rowcount != len(set(item_ids)):
        raise NotFoundError(f"run {run_id} has no items {list(item_ids)!r} in step {step_id!r}")


def mark_outcome(
    session: Connection, clock: Clock, run_id: str, step_id: str, item_id: str, result: ActionResult
) -> None:
    """Record what the action reported (secrets redacted)."""
    mark_outcomes(session, clock, run_id, step_id, {item_id: result})


def mark_outcomes(
    session: Connection,
    clock: Clock,
    run_id: str,
    step_id: str,
    results: Mapping[str, ActionResult | None],
) -> None:
    """Record what the actions reported (secrets redacted), one statement for all items.

    ``None`` puts an item that never acted (its run stopped first) back to pending.
    """
    table = _ITEMS
    now = clock.now()
    rows = []
    for item_id, result in results.items():
        row: dict[str, Any]
        if result is None:
            row = {
                "b_status": ItemStatus.PENDING,
                "b_result": None,
                "b_instr": None,
                "b_finished": None,
            }
        else:
            data = result.to_dict()
            data["message"] = redact(data["message"])
            row = {
                "b_status": ItemStatus.of(result.outcome),
                "b_result": data,
                "b_instr": redact(result.instructions) if result.instructions else None,
                "b_finished": now,
            }
        rows.append({"b_item": item_id, **row})
    if not rows:
        return
    done = session.execute(
        update(table)
        .where(
            table.c.run_id == run_id,
            table.c.step_id == step_id,
            table.c.item_id == bindparam("b_item"),
        )
        .values(
            status=bindparam("b_status"),
            result=bindparam("b_result", type_=table.c.result.type),
            instructions=bindparam("b_instr"),
            finished_at=bindparam("b_finished", type_=table.c.finished_at.type),
        ),
        rows,
    )
    if done.rowcount != len(rows):
        raise NotFoundError(f"run {run_id} is missing items of step {step_id!r}: {list(results)!r}")


def set_step_status(
    session: Connection,
    clock: Clock,
    run_id: str,
    step_id: str,
    status: StepStatus,
    *,
    started: bool = False,
) -> None:
    """Persist a step's status (and when it started or finished): one UPDATE."""
    steps = _STEPS.c
    now = literal(clock.now(), steps.started_at.type)
    values: dict[str, Any] = {"status": status}
    if started:
        values["started_at"] = func.coalesce(steps.started_at, now)
    if status in FINISHED_STEP:
        values["finished_at"] = now
    done = session.execute(
        update(_STEPS).where(steps.run_id == run_id, steps.step_id == step_id).values(**values)
    )
    if done.rowcount != 1:
        raise NotFoundError(f"run {run_id} has no step {step_id!r}")


def set_run_status(
    session: Connection,
    clock: Clock,
    run: RunRecord,
    status: RunStatus,
    *,
    actor: str | None = None,
) -> None:
    """Persist a run's status; finished runs get a finish time and an audit event.

    The event names ``actor`` (who settled it by a confirmation), else the run's current
    actor: whoever resumed it last, or who started it.
    """
    if run.status == status:
        return
    now = clock.now()
    values: dict[str, Any] = {"status": status, "updated_at": now}
    if status in SETTLED_RUN:
        values["finished_at"] = now if status != RunStatus.WAITING else None
    session.execute(update(_RUNS).where(_RUNS.c.id == run.id).values(**values))
    if "finished_at" in values:
        record(
            session,
            clock,
            actor=actor or run.current_actor,
            action=AuditAction.run_finished(status),
            target_type="person",
            target=run.subject,
            run_id=run.id,
            details=summary_counts(i.status for i in item_states(session, run.id)),
        )


def failure_code(item: ItemRecord) -> str | None:
    """The error code a failed item recorded (``vault-sealed``), if any."""
    details = (item.result or {}).get("details") or {}
    failed = item.status == ItemStatus.FAILED
    return str(details["code"]) if failed and details.get("code") else None


def stop_reason(items: Sequence[ItemRecord], run_id: str) -> str | None:
    """Why the run stopped and what to do, when an item failed with a run-stopping error."""
    for item in items:
        code = failure_code(item)
        if code in RUN_STOPPERS:
            return RUN_STOPPERS[code].format(run=run_id)
    return None
