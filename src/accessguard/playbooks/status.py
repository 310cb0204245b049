"""Run, step and item statuses, and how item statuses fold into a step's and a run's.

The values are the strings stored in ``runs``, ``run_steps`` and ``run_items``: they
must never change, or stored runs would no longer read back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from enum import StrEnum

from accessguard.exit_codes import ExitCode
from accessguard.results import Outcome


class ItemStatus(StrEnum):
    """Where one item of a run is: an action's outcome once it has acted."""

    PENDING = "pending"
    RUNNING = "running"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    WAITING = "waiting"
    #: A waiting item a person confirmed with evidence.
    DONE = "done"
    #: Held until an earlier item of the run is done (a grant whose removal failed or
    #: waits stays revoke-pending), or by the handover guard until a remaining admin is
    #: confirmed (its handover item may be confirmed by hand); a resume runs it again.
    #: Folds like waiting.
    HELD = "held"

    @classmethod
    def of(cls, outcome: Outcome) -> ItemStatus:
        """The status an item takes when its action reports ``outcome``."""
        return cls(outcome.value)


class StepStatus(StrEnum):
    """Where one step of a run is."""

    PENDING = "pending"
    RUNNING = "running"
    WAITING = "waiting"
    FAILED = "failed"
    DONE = "done"
    SKIPPED = "skipped"


class RunStatus(StrEnum):
    """Where a run is; every status but ``completed`` leaves it open to resume or confirm."""

    RUNNING = "running"
    WAITING = "waiting"
    PARTIAL = "partial"
    FAILED = "failed"
    COMPLETED = "completed"
    #: Never stored: a ``running`` run whose lock holder is dead (its process was killed)
    #: or that holds no lock at all; `runs list` and `runs show` say so, `runs resume` continues it.
    INTERRUPTED = "interrupted"


#: Items a resume runs again: never started, killed while acting, failed, or held.
RETRY = frozenset({ItemStatus.PENDING, ItemStatus.RUNNING, ItemStatus.FAILED, ItemStatus.HELD})
#: Items a person can confirm with evidence (``runs confirm``; held: handover items only).
CONFIRMABLE = frozenset({ItemStatus.WAITING, ItemStatus.HELD})
#: Runs that still have work or manual steps open (one per subject at a time).
UNFINISHED_RUN = (RunStatus.RUNNING, RunStatus.WAITING, RunStatus.FAILED, RunStatus.PARTIAL)
#: Step statuses that end a step (it gets a finish time).
FINISHED_STEP = frozenset(
    {StepStatus.DONE, StepStatus.FAILED, StepStatus.WAITING, StepStatus.SKIPPED}
)
#: Run statuses that end a run for now (finish time unless waiting; an audit event).
SETTLED_RUN = frozenset(
    {RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.PARTIAL, RunStatus.WAITING}
)

EXIT_CODES: dict[RunStatus, ExitCode] = {
    RunStatus.COMPLETED: ExitCode.OK,
    RunStatus.WAITING: ExitCode.WAITING_MANUAL,
    RunStatus.PARTIAL: ExitCode.PARTIAL_FAILURE,
    RunStatus.FAILED: ExitCode.ERROR,
    RunStatus.RUNNING: ExitCode.ERROR,
    RunStatus.INTERRUPTED: ExitCode.ERROR,
}


def exit_code(status: str) -> ExitCode:
    """The process exit code for a run in ``status`` (an unknown status is an error)."""
    try:
        return EXIT_CODES[RunStatus(status)]
    except ValueError:
        return ExitCode.ERROR


def step_status(statuses: Iterable[str]) -> StepStatus:
    """A step's status from its items' statuses: any failure fails it, then unfinished, waiting."""
    counts = Counter(statuses)
    if counts[ItemStatus.FAILED]:
        return StepStatus.FAILED
    if counts[ItemStatus.PENDING] or counts[ItemStatus.RUNNING]:
        return StepStatus.RUNNING
    if counts[ItemStatus.WAITING] or counts[ItemStatus.HELD]:
        return StepStatus.WAITING
    return StepStatus.DONE


def run_status(statuses: Iterable[str], *, stopped: bool) -> RunStatus:
    """A run's status from all its items' statuses; ``stopped``: a step or Vault stopped it."""
    if stopped:
        return RunStatus.FAILED
    counts = Counter(statuses)
    if counts[ItemStatus.PENDING] or counts[ItemStatus.RUNNING]:
        return RunStatus.RUNNING
    if counts[ItemStatus.FAILED]:
        return RunStatus.PARTIAL
    if counts[ItemStatus.WAITING] or counts[ItemStatus.HELD]:
        return RunStatus.WAITING
    return RunStatus.COMPLETED


def summary_counts(statuses: Iterable[str]) -> dict[str, int]:
    """How many items are in each status, by status name."""
    return dict(sorted(Counter(str(s) for s in statuses).items()))
