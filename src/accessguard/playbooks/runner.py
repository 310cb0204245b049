"""Execute a stored plan: record intent, act, record outcome, item by item; resume where it stopped.

Steps run in plan order; a step's independent items run in parallel (bounded, one
database connection per thread), or as one batch for actions that have one
(``playbooks/batch.py``: the same per-item order, set-based database work). A step
that fails with ``on_failure: stop`` stops the run after its items finish. An item
that fails because Vault itself is unusable (sealed, unreachable, refusing the token:
``state.RUN_STOPPERS``) stops the run whatever the step says: items not yet started
stay pending, the ones in flight finish, and the run ends ``failed`` with a message
saying what to do. Resuming re-runs every item that is not finished (pending, running
when the process died, or failed); completed side effects are not repeated because
every action is idempotent and carries a stable idempotency key.

Whoever runs a plan may pass ``RunHooks`` (``playbooks/hooks.py``): the runner tells
them each phase of each step and item; by default nobody listens.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy import Connection

from accessguard.app import App
from accessguard.audit.anchors import anchor_head
from accessguard.errors import VaultError
from accessguard.playbooks import lock, state
from accessguard.playbooks.batch import failure, run_batch
from accessguard.playbooks.context import ActionContext, SecretSink, VaultPool
from accessguard.playbooks.guards import (
    StepUp,
    check_handover,
    held_items,
    may_hold,
    require_step_up,
)
from accessguard.playbooks.hooks import NO_HOOKS, Phase, RunHooks
from accessguard.playbooks.lock import holding_lock
from accessguard.playbooks.plan import Plan, PlanItem, PlanStep
from accessguard.playbooks.registry import ACTIONS
from accessguard.playbooks.resume import begin_resume
from accessguard.playbooks.run_report import EventSink, RunEvent, RunReport
from accessguard.playbooks.status import (
    RETRY,
    ItemStatus,
    RunStatus,
    StepStatus,
    run_status,
    step_status,
    summary_counts,
)
from accessguard.results import ActionResult
from accessguard.secret import redact

log = logging.getLogger(__name__)


#: Work done in the transaction that stores a new run (a review campaign marks itself closed).
WithRun = Callable[[Connection, str], None]


@dataclass
class Execution:
    """One process executing one run: what every item of it shares."""

    app: App
    run_id: str
    plan: Plan
    concurrency: int
    on_event: EventSink | None
    show_secret: SecretSink | None
    vaults: VaultPool
    hooks: RunHooks = NO_HOOKS
    halted: threading.Event = field(default_factory=threading.Event)

    def emit(self, event: RunEvent) -> None:
        # The log (``--log-file``) keeps every step and item outcome; messages are redacted.
        if event.kind == "step":
            log.info("run %s: step %s started: %s", self.run_id, event.step, event.label)
        else:
            log.info(
                "run %s: %s %s %s: %s",
                self.run_id,
                event.step,
                event.item,
                event.status,
                event.message or event.label,
            )
        if self.on_event is not None:
            self.on_event(event)

    def context(self, step: PlanStep, item: PlanItem, attempt: int = 1) -> ActionContext:
        """What an action of this run gets for ``item``."""
        return ActionContext(
            self.app,
            self.run_id,
            self.plan,
            step,
            item,
            self.vaults,
            self.show_secret,
            attempt=attempt,
            hooks=self.hooks,
        )

    def item_done(self, step: PlanStep, item: PlanItem, result: ActionResult) -> None:
        """Report a recorded item outcome."""
        self.emit(
            RunEvent(
                "item",
                step.id,
                item.id,
                item.label,
                ItemStatus.of(result.outcome),
                redact(result.message),
                self.plan.item_count,
            )
        )

    def run_item(self, step: PlanStep, item: PlanItem, attempt: int) -> None:
        """Intent, act, outcome: each in its own transaction."""
        app = self.app
        if self.halted.is_set():
            return
        with app.begin() as conn:
            state.mark_intent(conn, app.clock, self.run_id, step.id, item.id)
        self.hooks.phase(step.id, item.id, Phase.BEFORE)
        run = ACTIONS[step.action].run
        if run is None:  # pragma: no cover - the registry checks every action has one path
            raise TypeError(f"action {step.action} runs only as a batch")
        self.hooks.phase(step.id, item.id, Phase.ACT)
        try:
            result = run(self.context(step, item, attempt))
        except Exception as exc:  # an action bug must fail its item, not kill the run silently
            result = failure(exc)
        if result.details.get("code") in state.RUN_STOPPERS:
            self.halted.set()
        self.hooks.phase(step.id, item.id, Phase.AFTER)
        with app.begin() as conn:
            state.mark_outcome(conn, app.clock, self.run_id, step.id, item.id, result)
        self.hooks.phase(step.id, item.id, Phase.RECORDED)
        self.item_done(step, item, result)

    def run_items(self, step: PlanStep, todo: list[PlanItem], attempts: dict[str, int]) -> None:
        """The step's unfinished items: as one batch, or each on its own (bounded parallel)."""
        batch = ACTIONS[step.action].batch
        if batch is not None:
            if not self.halted.is_set():
                ctxs = [self.context(step, item, attempts[item.id] + 1) for item in todo]
                run_batch(self, ctxs, batch)
            return
        workers = max(1, min(self.concurrency, len(todo)))
        if workers == 1:
            for item in todo:
                self.run_item(step, item, attempts[item.id] + 1)
            return
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"run-{step.id}") as pool:
            futures = [pool.submit(self.run_item, step, i, attempts[i.id] + 1) for i in todo]
            for future in futures:
                future.result()

    def hold(self, step: PlanStep, todo: list[PlanItem]) -> list[PlanItem]:
        """Record the items the handover guard holds now (``guards.held_items``); the rest."""
        app = self.app
        if not todo or not may_hold(self.plan, step):
            return todo
        with app.begin() as conn:
            held = held_items(conn, self.plan, self.run_id, step, todo)
            if held:
                state.mark_outcomes(conn, app.clock, self.run_id, step.id, held)
        for item in todo:
            if item.id in held:
                self.item_done(step, item, held[item.id])
        return [item for item in todo if item.id not in held]

    def settle_waiting(self, step: PlanStep, waiting: list[PlanItem]) -> None:
        """Waiting items that no longer wait (``Action.settled``) take that outcome; no act."""
        settled = ACTIONS[step.action].settled
        if settled is None:
            return
        for item in waiting:
            result = settled(self.context(step, item))
            if result is not None:
                with self.app.begin() as conn:
                    state.mark_outcome(conn, self.app.clock, self.run_id, step.id, item.id, result)
                self.item_done(step, item, result)

    def run_step(self, step: PlanStep) -> StepStatus:
        """Run the step's unfinished items; its status once they have run."""
        app = self.app
        with app.begin() as conn:
            rows = state.item_states(conn, self.run_id, step.id)
            statuses = {i.item_id: i.status for i in rows}
            attempts = {i.item_id: i.attempts for i in rows}
        self.settle_waiting(
            step, [i for i in step.items if statuses.get(i.id) == ItemStatus.WAITING]
        )
        todo = [item for item in step.items if statuses.get(item.id) in RETRY]
        todo = self.hold(step, todo)
        if todo:
            self.hooks.phase(step.id, "", Phase.START)
            with app.begin() as conn:
                state.set_step_status(
                    conn, app.clock, self.run_id, step.id, StepStatus.RUNNING, started=True
                )
                run = state.get_run(conn, self.run_id, plan=False)
                state.set_run_status(conn, app.clock, run, RunStatus.RUNNING)
            self.emit(
                RunEvent(
                    "step",
                    step.id,
                    "",
                    step.description or step.action,
                    StepStatus.RUNNING,
                    total=self.plan.item_count,
                )
            )
            self.run_items(step, todo, attempts)
        with app.begin() as conn:
            rows = state.item_states(conn, self.run_id, step.id)
            status = step_status(i.status for i in rows)
            state.set_step_status(conn, app.clock, self.run_id, step.id, status)
        if todo:
            log.info("run %s: step %s %s", self.run_id, step.id, status)
            self.hooks.phase(step.id, "", Phase.END)
        return status

    def execute(self) -> RunReport:
        """Run the plan's steps in order, to the end or to a stopping failure."""
        app = self.app
        stopped_at = None
        for step in self.plan.steps:
            if step.skipped:
                continue
            failed = self.run_step(step) == StepStatus.FAILED
            if self.halted.is_set() or (failed and step.on_failure == "stop"):
                stopped_at = step.id
                break
        with app.begin() as conn:
            run = state.get_run(conn, self.run_id, plan=False)
            items = state.item_states(conn, self.run_id)
            status = run_status((i.status for i in items), stopped=stopped_at is not None)
            state.set_run_status(conn, app.clock, run, status)
            counts = summary_counts(i.status for i in items)
            failed_items = state.run_items(conn, self.run_id, status=ItemStatus.FAILED)
            message = state.stop_reason(failed_items, self.run_id)
        done = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        log.info("run %s: %s (%s)", self.run_id, status, done)
        return RunReport(self.run_id, status, counts, stopped_at, message)


def start_run(
    app: App, plan: Plan, *, allow_unfinished: bool = False, with_run: WithRun | None = None
) -> str:
    """Take the subject's lock, apply the handover guard, store the run with every item pending.

    ``with_run`` runs in the same transaction, so what it records exists if and only if
    the run does. Returns the run id.
    """
    run_id = state.new_run_id()
    with app.begin() as conn:
        lock.acquire(conn, app.clock, plan.email, run_id, actor=app.actor)
        check_handover(conn, plan, run_id=run_id)
        state.create_run(
            conn, app.clock, app.actor, plan, run_id=run_id, allow_unfinished=allow_unfinished
        )
        if with_run is not None:
            with_run(conn, run_id)
    return run_id


def _execute(
    app: App,
    run_id: str,
    plan: Plan,
    *,
    concurrency: int,
    on_event: EventSink | None,
    show_secret: SecretSink | None,
    hooks: RunHooks | None,
) -> RunReport:
    with holding_lock(app, plan.email, run_id):
        report = Execution(
            app,
            run_id,
            plan,
            concurrency,
            on_event,
            show_secret,
            VaultPool(app),
            hooks=hooks or NO_HOOKS,
        ).execute()
    _checkpoint(app)
    return report


def _checkpoint(app: App) -> None:
    """Checkpoint the audit trail's head outside the database, once per run.

    A Vault outage skips it with a warning rather than hiding the run's own outcome (a
    run stopped by that outage must still say so and be resumable); the next run,
    export or ``audit anchor`` moves the checkpoint over these events too. A
    checkpoint that disagrees with the chain (tampering) is raised.
    """
    try:
        with app.begin() as conn:
            anchor_head(conn)
    except VaultError as exc:
        log.warning("audit checkpoint skipped: %s", exc)


def run_plan(
    app: App,
    plan: Plan,
    *,
    concurrency: int = 4,
    on_event: EventSink | None = None,
    show_secret: SecretSink | None = None,
    allow_unfinished: bool = False,
    on_start: Callable[[str], None] | None = None,
    step_up: StepUp | None = None,
    with_run: WithRun | None = None,
    hooks: RunHooks | None = None,
) -> RunReport:
    """Start a run for ``plan`` and execute it to the end (or to a stopping failure).

    The guards come first: step-up (``step_up`` asks the operator) before anything is
    stored, then the lock and the handover guard with the run's creation.
    """
    require_step_up(app, plan, step_up)
    run_id = start_run(app, plan, allow_unfinished=allow_unfinished, with_run=with_run)
    if on_start is not None:
        on_start(run_id)
    return _execute(
        app,
        run_id,
        plan,
        concurrency=concurrency,
        on_event=on_event,
        show_secret=show_secret,
        hooks=hooks,
    )


def resume_run(
    app: App,
    run_id: str,
    *,
    concurrency: int = 4,
    on_event: EventSink | None = None,
    show_secret: SecretSink | None = None,
    step_up: StepUp | None = None,
    hooks: RunHooks | None = None,
) -> RunReport:
    """Continue a run from its first unfinished item (retrying failed ones); step-up first.

    The lock of a dead process is taken over (audited), a live one's is refused; the
    resuming actor is the actor of everything the run does from here (``run.resume``).
    """
    with app.begin() as conn:
        plan = state.get_run(conn, run_id).stored_plan()
    require_step_up(app, plan, step_up)
    with app.begin() as conn:
        begin_resume(conn, app.clock, state.get_run(conn, run_id, plan=False), actor=app.actor)
    return _execute(
        app,
        run_id,
        plan,
        concurrency=concurrency,
        on_event=on_event,
        show_secret=show_secret,
        hooks=hooks,
    )
