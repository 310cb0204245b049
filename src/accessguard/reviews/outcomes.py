"""What closing a campaign did to each revoked grant, read from the close's run.

A close is a run (subject ``review-campaign-ID``) whose steps remove each grant on the
platform, end it in the inventory and bring Vault groups in line; a grant's outcome
folds its items' statuses, so it follows the run as it is resumed and its manual steps
are confirmed (`runs confirm`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from accessguard.db.tables import runs as _RUNS
from accessguard.playbooks.state import run_items

#: Steps of a close with one item per grant (``grant-ID``), and the one for Vault groups.
GRANT_STEPS = ("revoke-platform-access", "end-grants")
VAULT_STEP = "sync-vault-groups"


def campaign_subject(campaign_id: int) -> str:
    """The subject (and lock key) of a campaign's close run."""
    return f"review-campaign-{campaign_id}"


@dataclass(frozen=True, slots=True)
class Applied:
    """One revoked grant's outcome: changed, unchanged, waiting, pending or failed."""

    outcome: str
    message: str
    instructions: str | None
    applied_at: datetime | None


@dataclass
class Outcomes:
    """The close's run (if closed through the engine) and each grant's outcome."""

    run_id: str | None
    by_grant: dict[int, Applied] = field(default_factory=dict)


def fold(statuses: Iterable[str]) -> str:
    """One outcome from item statuses: any failure, then work left, then a manual wait."""
    seen = set(statuses)
    if "failed" in seen:
        return "failed"
    if seen & {"pending", "running"}:
        return "pending"
    if "waiting" in seen:
        return "waiting"
    if seen & {"changed", "done"}:
        return "changed"
    return "unchanged"


def close_run(session: Connection, campaign_id: int) -> Any:
    """The latest run that closed the campaign (id and plan), or None."""
    runs = _RUNS.c
    return session.execute(
        select(runs.id, runs.plan)
        .where(runs.subject == campaign_subject(campaign_id))
        .order_by(runs.created_at.desc())
        .limit(1)
    ).first()


def _line(item: Any) -> str:
    message = str((item.result or {}).get("message") or item.label)
    if item.status == "waiting" and item.instructions:
        message = f"{message}\nto do: {item.instructions}"
    if item.evidence:
        message = f"{message}\nconfirmed by {item.confirmed_by}: {item.evidence}"
    return message


def _applied(items: Sequence[Any]) -> Applied:
    times = [t for i in items for t in (i.finished_at, i.confirmed_at) if t is not None]
    waiting = [i.instructions for i in items if i.status == "waiting" and i.instructions]
    return Applied(
        fold(i.status for i in items),
        "\n".join(_line(i) for i in items),
        "\n".join(waiting) or None,
        max(times) if times else None,
    )


def item_outcomes(session: Connection, campaign_id: int) -> Outcomes:
    """Each revoked grant's outcome in the campaign's close run (empty before a close)."""
    run = close_run(session, campaign_id)
    if run is None:
        return Outcomes(None)
    shared = {
        int(item["params"]["grant_id"])
        for step in (run.plan or {}).get("steps", [])
        if step["id"] == GRANT_STEPS[0]
        for item in step["items"]
        if item["params"].get("via") == "shared-login"
    }
    per_grant: dict[int, list[Any]] = {}
    vault: list[Any] = []
    for item in run_items(session, run.id):
        if item.step_id == VAULT_STEP:
            vault.append(item)
        elif item.step_id in GRANT_STEPS and item.item_id.startswith("grant-"):
            per_grant.setdefault(int(item.item_id.removeprefix("grant-")), []).append(item)
    return Outcomes(
        run.id,
        {
            grant_id: _applied([*items, *(vault if grant_id in shared else [])])
            for grant_id, items in per_grant.items()
        },
    )
