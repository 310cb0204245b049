"""Held items run again once a confirmation may have unblocked them (no resume needed).

A grant held revoke-pending because its manual removal waited ends as soon as that
removal is confirmed (``runs confirm`` calls ``release_held``), under the subject's lock
and through the engine's own execution of the run's steps.
"""

from __future__ import annotations

from accessguard.app import App
from accessguard.errors import LockHeldError
from accessguard.playbooks import lock, state
from accessguard.playbooks.context import VaultPool
from accessguard.playbooks.lock import holding_lock
from accessguard.playbooks.runner import Execution
from accessguard.playbooks.status import ItemStatus, RunStatus, run_status


def release_held(app: App, run_id: str) -> RunStatus | None:
    """Run the run's held items again once a confirmation may have unblocked them.

    A grant held revoke-pending because its manual removal waited ends as soon as that
    removal is confirmed (``runs confirm``), without a resume. Only steps with held
    items run, under the subject's lock; returns the run's new status (None: nothing held).
    """
    with app.begin() as conn:
        run = state.get_run(conn, run_id)
        held = {i.step_id for i in state.run_items(conn, run_id, status=ItemStatus.HELD)}
        if not held:
            return None
        plan = run.stored_plan()
    try:
        with app.begin() as conn:
            lock.acquire(conn, app.clock, run.subject, run_id, actor=app.actor)
    except LockHeldError:
        return None  # the run is executing now; `runs resume` ends them afterwards
    with holding_lock(app, run.subject, run_id):
        execution = Execution(app, run_id, plan, 1, None, None, VaultPool(app))
        for step in plan.steps:
            if step.id in held:
                execution.run_step(step)
        with app.begin() as conn:
            run = state.get_run(conn, run_id, plan=False)
            status = run_status((i.status for i in state.item_states(conn, run_id)), stopped=False)
            state.set_run_status(conn, app.clock, run, status)
    return status
