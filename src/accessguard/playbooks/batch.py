"""Run a step's items together: intent for all, set-based database work, concurrent side effects.

For steps with many items (200 grants to end, 200 shared logins to rotate) one pair of
transactions per item would dominate the run. A batched action splits its work in
three phases, and the runner drives them:

1. ``prepare`` reads what every item needs in one transaction (after the intent of
   every item is recorded, before any side effect);
2. ``act`` does each item's side effect outside the database (Vault, a platform), on
   a bounded thread pool; actions without a side effect outside the database skip it;
3. ``record`` writes the outcomes of the items that have acted so far in one
   transaction, followed by their run-item outcomes in a second one. While the main
   thread records, the pool goes on acting: recording is pipelined, and each chunk is
   durable as soon as it is committed.

The run's phases (``hooks.Phase``) keep their meaning per item (``before``: intent
recorded; ``act``: about to act; ``inside``: side effect done, the recording
transaction not committed; ``after``: recorded, outcome not; ``recorded``), so a
resume after a crash at any of them re-runs exactly what the per-item path would.
Items that never acted because the run stopped go back to pending.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from queue import SimpleQueue
from threading import Event
from typing import TYPE_CHECKING, Generic, Protocol, TypeAlias, TypeVar, Union, cast

from accessguard.errors import AccessGuardError
from accessguard.playbooks import state
from accessguard.playbooks.context import ActionContext
from accessguard.playbooks.hooks import Phase, RunHooks
from accessguard.playbooks.plan import PlanItem, PlanStep
from accessguard.results import ActionResult
from accessguard.secret import redact

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from accessguard.app import App

#: Acted items are recorded in chunks of at least MIN_CHUNK items, about CHUNKS per step:
#: each chunk costs two transactions, and the first chunk is durable early on.
MIN_CHUNK, CHUNKS = 8, 8
#: What ``prepare`` hands ``act`` for an item (a rotation target), and what ``act`` hands
#: ``record`` (a version written in Vault); without ``act``, ``record`` gets what
#: ``prepare`` made. Either phase may instead return a final ``ActionResult``.
P = TypeVar("P")
A = TypeVar("A")


class Execution(Protocol):
    """What a batch needs of the run executing it (``runner.Execution``)."""

    @property
    def app(self) -> App: ...
    @property
    def run_id(self) -> str: ...
    @property
    def concurrency(self) -> int: ...
    @property
    def hooks(self) -> RunHooks: ...
    @property
    def halted(self) -> Event: ...

    def item_done(self, step: PlanStep, item: PlanItem, result: ActionResult) -> None:
        """Report a recorded item outcome."""


@dataclass(frozen=True)
class BatchAction(Generic[P, A]):
    """The three phases of an action whose items run together (see the module docstring).

    ``prepare(conn, contexts)`` and ``record(conn, pairs)`` return one value per
    item, in order; an ``ActionResult`` from ``prepare`` or ``act`` is final for its
    item (already done, or failed). Without ``act``, ``A`` is ``P``.
    """

    prepare: Callable[[Connection, Sequence[ActionContext]], Sequence[P | ActionResult]]
    record: Callable[[Connection, Sequence[tuple[ActionContext, A]]], list[ActionResult]]
    act: Callable[[ActionContext, P], A | ActionResult] | None = None


def chunk_size(acting: int) -> int:
    """How many acted items to record at once when ``acting`` items act: about a CHUNKS-th."""
    return max(MIN_CHUNK, acting // CHUNKS)


def failure(exc: Exception) -> ActionResult:
    """The failed result of an action that raised."""
    if isinstance(exc, AccessGuardError):
        return ActionResult.failed(exc.message, code=exc.code)
    return ActionResult.failed(f"unexpected {type(exc).__name__}: {redact(str(exc))}")


class _NotStarted:
    """The run stopped before this item acted."""


NOT_STARTED = _NotStarted()
#: What an item's ``act`` phase left: data for ``record``, a final result, or nothing yet.
Acted: TypeAlias = Union[A, ActionResult, _NotStarted]  # noqa: UP007 - a generic alias


def run_batch(ex: Execution, ctxs: Sequence[ActionContext], action: BatchAction[P, A]) -> None:
    """Run the items of ``ctxs`` (one step, all retryable) through ``action``'s phases."""
    app, step = ex.app, ctxs[0].step
    with app.begin() as conn:
        state.mark_intents(conn, app.clock, ex.run_id, step.id, [c.item.id for c in ctxs])
    for ctx in ctxs:
        ex.hooks.phase(step.id, ctx.item.id, Phase.BEFORE)
    prepared: Sequence[P | ActionResult]
    try:
        with app.begin() as conn:
            prepared = action.prepare(conn, ctxs)
    except Exception as exc:  # every item fails the same way
        prepared = [failure(exc)] * len(ctxs)
    ready = list(zip(ctxs, prepared, strict=True))
    if action.act is None:  # ``record`` takes what ``prepare`` made (A is P)
        _record(ex, action, cast(list[tuple[ActionContext, A | ActionResult]], ready))
        return
    settled: list[tuple[ActionContext, A | ActionResult]] = []
    todo: list[tuple[ActionContext, P]] = []
    for ctx, value in ready:
        if isinstance(value, ActionResult):
            settled.append((ctx, value))
        else:
            todo.append((ctx, value))
    if settled:
        _record(ex, action, settled)
    if not todo:
        return
    act = action.act
    workers = max(1, min(ex.concurrency, len(todo)))
    # Finished items arrive through a queue (a done-callback per future): ``wait()`` on
    # the pending set would lock and unlock every pending future at each wake-up.
    finished: SimpleQueue[Future[tuple[ActionContext, Acted[A]]]] = SimpleQueue()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"run-{step.id}") as pool:
        for ctx, value in todo:
            future: Future[tuple[ActionContext, Acted[A]]] = pool.submit(_act, ex, act, ctx, value)
            future.add_done_callback(finished.put)
        chunk = chunk_size(len(todo))
        remaining = len(todo)
        acted: list[tuple[ActionContext, Acted[A]]] = []
        while remaining:
            acted.append(finished.get().result())
            remaining -= 1
            while remaining and not finished.empty():
                acted.append(finished.get().result())
                remaining -= 1
            if len(acted) >= chunk or not remaining or ex.halted.is_set():
                _record(ex, action, acted)
                acted = []


def _act(
    ex: Execution,
    act: Callable[[ActionContext, P], A | ActionResult],
    ctx: ActionContext,
    value: P,
) -> tuple[ActionContext, Acted[A]]:
    """One item's side effect, on a pool thread (no database)."""
    if ex.halted.is_set():
        return ctx, NOT_STARTED
    ex.hooks.phase(ctx.step.id, ctx.item.id, Phase.ACT)
    acted: A | ActionResult
    try:
        acted = act(ctx, value)
    except Exception as exc:
        acted = failure(exc)
    if isinstance(acted, ActionResult) and acted.details.get("code") in state.RUN_STOPPERS:
        ex.halted.set()
    return ctx, acted


def _record(
    ex: Execution, action: BatchAction[P, A], acted: Sequence[tuple[ActionContext, Acted[A]]]
) -> None:
    """Record a chunk of acted items: the action's own transaction, then their outcomes."""
    app = ex.app
    step = acted[0][0].step
    results: dict[str, ActionResult | None] = {}
    to_record: list[tuple[ActionContext, A]] = []
    for ctx, value in acted:
        if isinstance(value, _NotStarted):
            results[ctx.item.id] = None
        elif isinstance(value, ActionResult):
            results[ctx.item.id] = value
        else:
            to_record.append((ctx, value))
    if to_record:
        try:
            with app.begin() as conn:
                recorded = action.record(conn, to_record)
                for ctx, _ in to_record:
                    ex.hooks.phase(step.id, ctx.item.id, Phase.INSIDE)
        except Exception as exc:
            recorded = [failure(exc)] * len(to_record)
        for (ctx, _), result in zip(to_record, recorded, strict=True):
            results[ctx.item.id] = result
    for ctx, _ in acted:
        ex.hooks.phase(step.id, ctx.item.id, Phase.AFTER)
    with app.begin() as conn:
        state.mark_outcomes(conn, app.clock, ex.run_id, step.id, results)
    for ctx, _ in acted:
        ex.hooks.phase(step.id, ctx.item.id, Phase.RECORDED)
        outcome = results[ctx.item.id]
        if outcome is not None:
            ex.item_done(ctx.step, ctx.item, outcome)
