"""What an idempotent action reports: changed, unchanged, failed or waiting (Ansible's ``changed``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    """The outcomes every side-effecting action reports (held: waits on an earlier item)."""

    CHANGED = "changed"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    WAITING = "waiting"
    #: Not done yet on purpose: an earlier item of the run is not done (a grant whose
    #: platform removal failed or waits), or the handover guard holds it; a resume runs it again.
    HELD = "held"


@dataclass(frozen=True)
class ActionResult:
    """One action's outcome, a one-line message, and non-secret details for the run record."""

    outcome: Outcome
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    # For WAITING: the exact instructions for the person completing the manual step.
    instructions: str | None = None

    @classmethod
    def changed(cls, message: str = "", **details: Any) -> ActionResult:
        """The action changed something."""
        return cls(Outcome.CHANGED, message, details)

    @classmethod
    def unchanged(cls, message: str = "", **details: Any) -> ActionResult:
        """Already in the wanted state (revoking what is already gone)."""
        return cls(Outcome.UNCHANGED, message, details)

    @classmethod
    def failed(cls, message: str, **details: Any) -> ActionResult:
        """The action failed; the message says why."""
        return cls(Outcome.FAILED, message, details)

    @classmethod
    def waiting(cls, message: str, instructions: str, **details: Any) -> ActionResult:
        """A person must do something and confirm it with evidence."""
        return cls(Outcome.WAITING, message, details, instructions)

    @classmethod
    def held(cls, message: str, instructions: str | None = None, **details: Any) -> ActionResult:
        """Held until an earlier item is done or a handover is through; a resume runs the action again."""
        return cls(Outcome.HELD, message, details, instructions)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "outcome": self.outcome.value,
            "message": self.message,
            "details": self.details,
            "instructions": self.instructions,
        }
