"""What a run tells while it runs (``RunEvent``) and how it ended (``RunReport``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from accessguard.playbooks.status import ItemStatus, RunStatus, StepStatus, exit_code


@dataclass(frozen=True)
class RunEvent:
    """Progress of a run, for progress bars and plain log lines."""

    kind: Literal["step", "item"]
    step: str
    item: str
    label: str
    status: StepStatus | ItemStatus
    message: str = ""
    total: int = 0


@dataclass
class RunReport:
    """How a run ended: its status, counts per item status, and the process exit code."""

    run_id: str
    status: RunStatus
    counts: dict[str, int] = field(default_factory=dict)
    stopped_at: str | None = None
    #: Why the run stopped and what to do (Vault sealed: unseal, then resume), if known.
    message: str | None = None

    @property
    def exit_code(self) -> int:
        """0 ok, 1 failed, 4 partial failure, 5 waiting for a manual step."""
        return int(exit_code(self.status))


EventSink = Callable[[RunEvent], None]
