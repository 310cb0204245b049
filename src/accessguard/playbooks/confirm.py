"""Complete manual steps: a person confirms a waiting item with evidence; the run moves on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from accessguard.app import App
from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.errors import ConflictError, InputError, LockHeldError, StepFailedError
from accessguard.playbooks import lock, state
from accessguard.playbooks.context import ActionContext, VaultPool
from accessguard.playbooks.evidence import Evidence
from accessguard.playbooks.guards import HANDOVER_ACTION, StepUp, require_step_up_for
from accessguard.playbooks.registry import ACTIONS
from accessguard.playbooks.run_records import ItemRecord
from accessguard.playbooks.run_views import item_to_dict
from accessguard.playbooks.status import (
    CONFIRMABLE,
    ItemStatus,
    RunStatus,
    run_status,
    step_status,
)
from accessguard.results import Outcome
from accessguard.secret import redact


def _open_statuses(action: str) -> frozenset[str]:
    """Item statuses a person may confirm in a step of ``action``.

    An item held by the handover guard is confirmed through its handover item, never by
    itself: confirming a held removal would mark it done without removing anything.
    """
    return CONFIRMABLE if action == HANDOVER_ACTION else frozenset({ItemStatus.WAITING})


def confirmable(
    app: App, run_id: str, step_id: str, *, item_id: str | None = None, all_items: bool = False
) -> list[ItemRecord]:
    """The waiting items a confirmation would complete: one (``item_id``), all, or the only one.

    Without ``item_id`` or ``all_items`` a step with several waiting items is refused:
    confirming many at once is asked for by name (``--all``), after they were listed.
    """
    with app.begin() as session:
        run = state.get_run(session, run_id)
        plan = run.stored_plan()
        if step_id not in {s.id for s in plan.steps}:
            known = ", ".join(s.id for s in plan.steps)
            raise InputError(f"run {run_id} has no step {step_id!r} (steps: {known})")
        items = state.run_items(session, run_id, step_id)
        open_statuses = _open_statuses(plan.step(step_id).action)
    if item_id is not None:
        chosen = [i for i in items if i.item_id == item_id]
        if not chosen:
            known = ", ".join(i.item_id for i in items)
            raise InputError(f"step {step_id} has no item {item_id!r} (items: {known or 'none'})")
        if chosen[0].status not in open_statuses:
            raise ConflictError(
                f"{step_id} {item_id} is {chosen[0].status}, not waiting for confirmation",
                hint="a held item moves on once its account's handover item is confirmed "
                "(`runs confirm RUN handover --item account-ID --evidence ...`), then `runs resume`"
                if chosen[0].status == ItemStatus.HELD
                else None,
            )
        return chosen
    waiting = [i for i in items if i.status in open_statuses]
    if not waiting:
        raise ConflictError(f"step {step_id} of run {run_id} has nothing waiting for confirmation")
    if len(waiting) > 1 and not all_items:
        names = ", ".join(i.item_id for i in waiting)
        raise InputError(
            f"step {step_id} has {len(waiting)} items waiting ({names}): "
            "name one with --item ID, or confirm them all with --all"
        )
    return waiting


def confirm_items(
    app: App,
    run_id: str,
    step_id: str,
    *,
    evidence: Evidence,
    item_ids: Sequence[str],
    step_up: StepUp | None = None,
) -> list[dict[str, Any]]:
    """Mark these waiting items of the step done with evidence; returns the confirmed items.

    Exactly ``item_ids`` (what ``confirmable`` listed) are confirmed, each with its own
    ``run.confirm`` event; one no longer waiting is skipped. Confirming an item of a
    destructive step whose action acts on confirmation (a rotation's confirm marks the
    new password active) is a destructive change: the engine's step-up guard applies
    (``step_up`` asks the operator).
    """
    with app.begin() as session:
        run = state.get_run(session, run_id)
        plan = run.stored_plan()
        step = plan.step(step_id)
        holder = lock.holder_of(session, run.subject)
        if holder is not None and holder.run_id != run_id:
            raise LockHeldError(
                f"a run for {run.subject} is in progress ({holder.run_id}); confirm after it ends"
            )
        held_steps = {i.step_id for i in state.run_items(session, run_id, status=ItemStatus.HELD)}
    action = ACTIONS[step.action]
    # A confirmation that acts (a rotation's), or that lets held removals go ahead
    # (``release_held`` runs them at once), is a destructive change.
    releases = any(s.destructive for s in plan.steps if s.id in held_steps)
    if (step.destructive and action.confirm is not None) or releases:
        require_step_up_for(app, step_up, why=f"confirming {step_id} of {run_id}")
    confirmed = []
    vaults = VaultPool(app)
    for wanted in item_ids:
        item = next(i for i in step.items if i.id == wanted)
        details: dict[str, Any] = {}
        if action.confirm is not None:
            ctx = ActionContext(app, run_id, plan, step, item, vaults)
            result = action.confirm(ctx, evidence.note)
            if result.outcome is Outcome.FAILED:
                raise StepFailedError(
                    f"{step_id} {wanted}: {result.message}",
                    hint="the item stays waiting; fix the cause and confirm again",
                )
            details = {"confirm": result.outcome.value, "message": redact(result.message)}
        with app.begin() as session:
            status = state.get_item(session, run_id, step_id, wanted).status
            if status not in _open_statuses(step.action):
                continue
            row = state.mark_confirmed(
                session, app.clock, run_id, step_id, wanted, evidence=evidence, actor=app.actor
            )
            record(
                session,
                app.clock,
                actor=app.actor,
                action=AuditAction.RUN_CONFIRM,
                target_type="run-item",
                target=f"{run_id}/{step_id}/{wanted}",
                run_id=run_id,
                details={**evidence.to_audit(), **details},
            )
            confirmed.append(item_to_dict(row))
    _refresh(app, run_id, step_id)
    from accessguard.playbooks.held import release_held

    release_held(app, run_id)  # a grant whose manual removal was just confirmed ends now
    return confirmed


def _refresh(app: App, run_id: str, step_id: str) -> None:
    """Recompute the step's and the run's status after confirmations."""
    with app.begin() as session:
        run = state.get_run(session, run_id)
        state.set_step_status(
            session,
            app.clock,
            run_id,
            step_id,
            step_status(i.status for i in state.run_items(session, run_id, step_id)),
        )
        if run.status in (RunStatus.WAITING, RunStatus.PARTIAL):
            items = state.run_items(session, run_id)
            status = run_status((i.status for i in items), stopped=False)
            state.set_run_status(session, app.clock, run, status, actor=app.actor)


def unlock(app: App, run_id: str) -> bool:
    """Drop the lock a killed process left behind for ``run_id``; False if it held none."""
    with app.begin() as session:
        run = state.get_run(session, run_id)
        holder = lock.holder_of(session, run.subject)
        if holder is None or holder.run_id != run_id:
            return False
        lock.release(session, run.subject, run_id)
        record(
            session,
            app.clock,
            actor=app.actor,
            action=AuditAction.RUN_UNLOCK,
            target_type="person",
            target=run.subject,
            run_id=run_id,
            details={"holder": holder.holder},
        )
        return True
