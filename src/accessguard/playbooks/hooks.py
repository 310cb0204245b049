"""Run hooks: callbacks the engine calls at each phase of a run, injected by whoever runs it.

Like ansible-runner's ``event_handler`` and ``status_handler``, the hooks are passed
to the runner (``run_plan(..., hooks=RunHooks(on_phase=...))``) and default to doing
nothing; the product never reads them from the environment. The reliability tests
install a phase callback that SIGKILLs the process at one exact point, or sleeps
before items act, to prove that a run killed anywhere resumes to the same end state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Phase(StrEnum):
    """Where a run is, for a step (``START``/``END``, item id empty) or for one item."""

    #: A step with unfinished items is about to run them.
    START = "start"
    #: A step's status is recorded after its items ran.
    END = "end"
    #: The item's intent is recorded; nothing is done yet.
    BEFORE = "before"
    #: The item's action is about to act (on the thread that acts).
    ACT = "act"
    #: The action's side effect is done; its own transaction is not committed.
    INSIDE = "inside"
    #: The action's transaction is committed; the item's outcome is not recorded.
    AFTER = "after"
    #: The item's outcome is recorded.
    RECORDED = "recorded"


#: Called with (step id, item id or "", phase); it may block, or never return.
PhaseHook = Callable[[str, str, Phase], None]


def _nothing(step_id: str, item_id: str, phase: Phase) -> None:
    """The default phase hook: a run is not observed."""


@dataclass(frozen=True)
class RunHooks:
    """The callbacks a run calls; every one defaults to doing nothing."""

    on_phase: PhaseHook = _nothing

    def phase(self, step_id: str, item_id: str, phase: Phase) -> None:
        """Tell the phase hook where the run is."""
        self.on_phase(step_id, item_id, phase)


NO_HOOKS = RunHooks()
