"""The plan: the exact steps x items a run will execute, stored with the run and printed by --dry-run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accessguard.playbooks.sources import ItemParams, Source, params_from_dict


@dataclass(frozen=True)
class PlanItem:
    """One unit of work: a stable id (``grant-12``), a label for people, parameters for the action."""

    id: str
    label: str
    params: ItemParams

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {"id": self.id, "label": self.label, "params": self.params.to_dict()}


@dataclass(frozen=True)
class PlanStep:
    """A playbook step with its items resolved; ``skipped`` says why it will not run."""

    id: str
    action: str
    description: str
    on_failure: str
    destructive: bool
    args: dict[str, Any] = field(default_factory=dict)
    items: tuple[PlanItem, ...] = ()
    skipped: str | None = None
    #: What the items are (their parameters' type); None in plans stored before it was kept.
    source: Source | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "id": self.id,
            "action": self.action,
            "description": self.description,
            "on_failure": self.on_failure,
            "destructive": self.destructive,
            "args": self.args,
            "items": [item.to_dict() for item in self.items],
            "skipped": self.skipped,
            "source": None if self.source is None else self.source.value,
        }


@dataclass(frozen=True)
class Plan:
    """Everything a run does, decided before anything changes."""

    subject: dict[str, Any]
    playbook: str
    playbook_digest: str
    steps: tuple[PlanStep, ...]
    successor: str | None = None
    force: bool = False
    observed_only: bool = False
    warnings: tuple[str, ...] = ()

    @property
    def email(self) -> str:
        """The subject's email."""
        return str(self.subject["email"])

    @property
    def destructive(self) -> bool:
        """True when any step that will run can remove access or change secrets."""
        return any(s.destructive and not s.skipped for s in self.steps)

    @property
    def item_count(self) -> int:
        """How many items the run will execute."""
        return sum(len(s.items) for s in self.steps if not s.skipped)

    def step(self, step_id: str) -> PlanStep:
        """The step with ``step_id`` (KeyError if absent)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view (also what a run stores and resumes from)."""
        return {
            "subject": self.subject,
            "playbook": self.playbook,
            "playbook_digest": self.playbook_digest,
            "successor": self.successor,
            "force": self.force,
            "observed_only": self.observed_only,
            "warnings": list(self.warnings),
            "destructive": self.destructive,
            "item_count": self.item_count,
            "steps": [step.to_dict() for step in self.steps],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        """Rebuild a plan stored with a run."""
        steps = tuple(_step_from_dict(s) for s in data["steps"])
        return cls(
            subject=data["subject"],
            playbook=data["playbook"],
            playbook_digest=data["playbook_digest"],
            steps=steps,
            successor=data.get("successor"),
            force=data.get("force", False),
            observed_only=data.get("observed_only", False),
            warnings=tuple(data.get("warnings", ())),
        )


def _step_from_dict(data: dict[str, Any]) -> PlanStep:
    """A stored step; items of plans stored without a source are typed by their keys."""
    source = None if data.get("source") is None else Source(data["source"])
    return PlanStep(
        id=data["id"],
        action=data["action"],
        description=data.get("description", ""),
        on_failure=data["on_failure"],
        destructive=data["destructive"],
        args=data.get("args", {}),
        items=tuple(
            PlanItem(i["id"], i["label"], params_from_dict(source, i.get("params") or {}))
            for i in data["items"]
        ),
        skipped=data.get("skipped"),
        source=source,
    )


def plan_lines(plan: Plan) -> list[str]:
    """The plan as text lines for a terminal (what --dry-run prints)."""
    subject = plan.subject
    lines = [
        f"Offboarding plan for {subject['name']} <{plan.email}> "
        f"({subject['kind']}, {subject['status']}) with playbook {plan.playbook!r}",
    ]
    if plan.successor:
        lines.append(f"Successor: {plan.successor}")
    for warning in plan.warnings:
        lines.append(f"WARNING: {warning}")
    for number, step in enumerate(plan.steps, 1):
        flag = " [destructive]" if step.destructive else ""
        head = f"{number:>2}. {step.id} ({step.action}){flag}"
        if step.skipped:
            lines.append(f"{head}: skipped, {step.skipped}")
            continue
        lines.append(f"{head}: {len(step.items)} item(s), on failure {step.on_failure}")
        lines.extend(f"      - {item.label}" for item in step.items)
    lines.append(f"{plan.item_count} item(s) in total.")
    return lines
