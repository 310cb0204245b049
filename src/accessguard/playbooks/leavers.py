"""Offboard everyone whose end date has passed: one run each, a bounded number at a time."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Connection

from accessguard.app import App
from accessguard.clock import today
from accessguard.errors import AccessGuardError
from accessguard.exit_codes import ExitCode
from accessguard.inventory.leavers import due_leavers
from accessguard.playbooks.guards import StepUp
from accessguard.playbooks.hooks import RunHooks
from accessguard.playbooks.loader import resolve
from accessguard.playbooks.plan import Plan
from accessguard.playbooks.planner import build_plan
from accessguard.playbooks.run_views import run_summary
from accessguard.playbooks.runner import run_plan
from accessguard.playbooks.sources import GrantParams

#: Worst first: the batch's exit code is the worst of its people's.
_SEVERITY = [ExitCode.ERROR, ExitCode.PARTIAL_FAILURE, ExitCode.WAITING_MANUAL, ExitCode.OK]
#: Actions whose items wait for a person at run time, with what that person does.
_BY_HAND = {
    "manual": "",  # the step's own instructions
    "renew-field": "renew it on the platform, then store the new value in Vault",
    "rotate-credential": "change the password on the platform to the new one, then confirm",
    "reenrol-totp": "enrol the new 2FA seed on the platform, then confirm",
}


def plan_steps(plan: Plan) -> list[dict[str, Any]]:
    """Each step of a plan in brief: id, action, item count, destructive, skipped (why)."""
    return [
        {
            "id": step.id,
            "action": step.action,
            "items": len(step.items),
            "destructive": step.destructive,
            "skipped": step.skipped,
        }
        for step in plan.steps
    ]


def planned_checklist(session: Connection, plan: Plan) -> list[dict[str, Any]]:
    """What a person will do by hand in this plan: the items of steps that wait for one, and
    the platform removals on accounts with no API connector (``revoke-access`` waits).

    Notifications wait too when their channel is not configured; that shows at run time.
    """
    from accessguard.connectors.registry import connector_name
    from accessguard.inventory.records import find_account_record

    checklist = []
    for step in plan.steps:
        if step.skipped:
            continue
        for item in step.items:
            if step.action in _BY_HAND:
                text = _BY_HAND[step.action] or str(step.args.get("instructions") or item.label)
            elif step.action == "revoke-access" and isinstance(item.params, GrantParams):
                account = find_account_record(session, item.params.account)
                if account is None or connector_name(account) not in (None, "manual"):
                    continue
                text = f"remove the access by hand on {account.platform} (no API connector)"
            else:
                continue
            checklist.append(
                {"step": step.id, "item": item.id, "label": item.label, "instructions": text}
            )
    return checklist


def run_checklist(app: App, run_id: str) -> list[dict[str, Any]]:
    """The items of a finished run that wait for a person, with their instructions."""
    summary = run_summary(app, run_id)
    return [
        {
            "step": step["id"],
            "item": item["item"],
            "label": item["label"],
            "instructions": item["instructions"] or item["message"] or "",
        }
        for step in summary.get("steps", [])
        for item in step["items"]
        if item["status"] == "waiting"
    ]


def offboard_leavers(
    app: App,
    *,
    playbook: str | None = None,
    dry_run: bool = False,
    concurrency: int = 2,
    on_done: Callable[[dict[str, Any]], None] | None = None,
    hooks: RunHooks | None = None,
    step_up: StepUp | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Plan (and unless ``dry_run`` run) each due leaver; returns one row per person and an exit code.

    ``step_up`` is the engine's step-up callback, asked before each destructive run.
    """
    book = resolve(app.settings, playbook or app.settings.offboarding.default_playbook)
    with app.begin() as session:
        emails = due_leavers(session, today(app.clock))

    # A dry run plans one person after the other, each planned leaver counting as leaving
    # for the next, so it shows the holds the real batch would meet.
    planned: dict[int, tuple[str, str]] = {}

    def one(email: str) -> dict[str, Any]:
        row: dict[str, Any] = {"person": email, "run": None, "status": None, "error": None}
        row |= {"items": None, "steps": [], "checklist": []}
        try:
            with app.begin() as session:
                plan = build_plan(session, book, email, planned_with=planned if dry_run else None)
            row["items"] = plan.item_count
            row["steps"] = plan_steps(plan)
            if dry_run:
                row["status"], row["exit_code"] = "planned", int(ExitCode.OK)
                row["plan"] = plan.to_dict()
                with app.begin() as session:
                    row["checklist"] = planned_checklist(session, plan)
                planned[int(plan.subject["id"])] = ("(planned in this dry run)", email)
            else:
                report = run_plan(app, plan, concurrency=1, step_up=step_up, hooks=hooks)
                row.update(run=report.run_id, status=report.status, exit_code=report.exit_code)
                row["checklist"] = run_checklist(app, report.run_id)
        except AccessGuardError as exc:
            in_progress = exc.code in ("lock-held", "run-in-progress")
            held = exc.code == "handover-held"  # another run takes the account's other admin
            row.update(
                status="in-progress" if in_progress else "held" if held else "refused",
                error=exc.message,
                exit_code=int(ExitCode.WAITING_MANUAL if in_progress or held else ExitCode.ERROR),
            )
        if on_done is not None:
            on_done(row)
        return row

    with ThreadPoolExecutor(max_workers=1 if dry_run else max(1, concurrency)) as pool:
        rows = list(pool.map(one, emails))
    codes = {row["exit_code"] for row in rows}
    worst = next((int(c) for c in _SEVERITY if int(c) in codes), int(ExitCode.OK))
    return rows, worst
