"""Close a review campaign: a plan of the revoke decisions, run by the playbook engine.

The plan (``close_plan``) removes each grant decided ``revoke`` on its platform (a
manual step with the platform's checklist where there is no API), ends it in the
inventory and brings Vault groups in line. Running it is a run like an offboarding:
stored, locked (subject ``review-campaign-ID``), guarded (step-up, handover),
resumable with `runs resume`, its manual steps confirmed with `runs confirm`. The
campaign is marked closed in the transaction that stores the run, so a close either
has a run or has not happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select, update

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.db.tables import review_campaigns as _CAMPAIGNS
from accessguard.db.tables import review_items as _ITEMS
from accessguard.errors import ConflictError
from accessguard.playbooks.builtin import builtin_plan, revocation_steps
from accessguard.playbooks.guards import StepUp, with_holds
from accessguard.playbooks.hooks import RunHooks
from accessguard.playbooks.plan import Plan
from accessguard.reviews.campaigns import Campaign, get_campaign
from accessguard.reviews.outcomes import Applied, campaign_subject, item_outcomes

if TYPE_CHECKING:
    from accessguard.app import App
    from accessguard.playbooks.run_report import EventSink


@dataclass
class CloseResult:
    """What closing did: the run, and each revoked item's outcome."""

    campaign: int
    run_id: str
    status: str
    exit_code: int
    kept: int = 0
    undecided: int = 0
    outcomes: dict[int, Applied] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        counts: dict[str, int] = {}
        for applied in self.outcomes.values():
            counts[applied.outcome] = counts.get(applied.outcome, 0) + 1
        return {
            "campaign": self.campaign,
            "engine": "playbooks.runner",
            "run": self.run_id,
            "status": self.status,
            "exit_code": self.exit_code,
            "kept": self.kept,
            "undecided": self.undecided,
            "revoked": counts,
            "items": {
                str(item): {
                    "outcome": a.outcome,
                    "message": a.message,
                    "instructions": a.instructions,
                }
                for item, a in sorted(self.outcomes.items())
            },
        }


def _count(session: Connection, campaign_id: int, decision: str | None) -> int:
    items = _ITEMS.c
    wanted = items.decision.is_(None) if decision is None else items.decision == decision
    return int(
        session.execute(
            select(func.count()).where(items.campaign_id == campaign_id, wanted)
        ).scalar_one()
    )


def _revoked(session: Connection, campaign_id: int) -> list[tuple[int, int]]:
    """(review item id, grant id) of the items decided ``revoke``, in item order."""
    items = _ITEMS.c
    return [
        (item_id, grant_id)
        for item_id, grant_id in session.execute(
            select(items.id, items.grant_id)
            .where(items.campaign_id == campaign_id, items.decision == "revoke")
            .order_by(items.id)
        )
    ]


def _open(session: Connection, campaign_id: int, *, lock: bool = False) -> Campaign:
    campaign = get_campaign(session, campaign_id, lock=lock)
    if campaign.status != "open":
        raise ConflictError(f"{campaign.label} is already closed", code="review-closed")
    return campaign


def close_plan(session: Connection, campaign_id: int, *, force: bool = False) -> Plan:
    """The plan that applies an open campaign's revoke decisions (what --dry-run prints).

    Undecided items refuse the close unless ``force`` (they are kept); ``force`` also
    accepts leaving an account without an admin (the engine's handover guard).
    """
    campaign = _open(session, campaign_id)
    undecided = _count(session, campaign_id, None)
    if undecided and not force:
        raise ConflictError(
            f"{campaign.label} has {undecided} undecided item(s)",
            hint="decide them with `accessguard review decide`, or close with --force "
            "(undecided grants are kept and reported as not attested)",
            code="review-undecided",
        )
    grant_ids = [grant_id for _, grant_id in _revoked(session, campaign_id)]
    subject = {
        "email": campaign_subject(campaign_id),
        "name": campaign.label,
        "kind": "review-campaign",
        "status": campaign.status,
        "campaign": campaign_id,
    }
    steps = revocation_steps(
        session, grant_ids, reason=f"{campaign.label}: reviewer decided revoke"
    )
    return with_holds(session, builtin_plan("review-close", subject, steps, force=force))


def _mark_closed(app: App, campaign_id: int) -> Callable[[Connection, str], None]:
    """Close the campaign in the transaction that stores its run (a close has a run, always)."""

    def mark(session: Connection, run_id: str) -> None:
        _open(session, campaign_id, lock=True)
        now = app.clock.now()
        session.execute(
            update(_CAMPAIGNS)
            .where(_CAMPAIGNS.c.id == campaign_id)
            .values(status="closed", closed_at=now, closed_by=app.actor)
        )
        record(
            session,
            app.clock,
            actor=app.actor,
            action=AuditAction.REVIEW_CLOSE,
            target_type="review-campaign",
            target=str(campaign_id),
            run_id=run_id,
            details={
                "run": run_id,
                "kept": _count(session, campaign_id, "keep"),
                "revoke": _count(session, campaign_id, "revoke"),
                "undecided": _count(session, campaign_id, None),
            },
        )

    return mark


def close_campaign(
    app: App,
    plan: Plan,
    *,
    step_up: StepUp | None = None,
    on_event: EventSink | None = None,
    on_start: Callable[[str], None] | None = None,
    hooks: RunHooks | None = None,
) -> CloseResult:
    """Run ``close_plan``'s plan through the engine, closing the campaign with the run."""
    from accessguard.playbooks.runner import run_plan

    campaign_id = int(plan.subject["campaign"])
    report = run_plan(
        app,
        plan,
        concurrency=app.settings.offboarding.concurrency,
        step_up=step_up,
        with_run=_mark_closed(app, campaign_id),
        on_event=on_event,
        on_start=on_start,
        hooks=hooks,
    )
    return close_result(app, campaign_id, status=report.status, exit_code=report.exit_code)


def close_result(app: App, campaign_id: int, *, status: str, exit_code: int) -> CloseResult:
    """The closed campaign's outcomes as its run stands now."""
    with app.begin() as session:
        outcomes = item_outcomes(session, campaign_id)
        by_grant = outcomes.by_grant
        return CloseResult(
            campaign_id,
            outcomes.run_id or "",
            status,
            exit_code,
            kept=_count(session, campaign_id, "keep"),
            undecided=_count(session, campaign_id, None),
            outcomes={
                item_id: by_grant[grant_id]
                for item_id, grant_id in _revoked(session, campaign_id)
                if grant_id in by_grant
            },
        )
