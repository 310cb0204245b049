"""Close a review campaign: revoke what reviewers decided to revoke, record the evidence.

Revokes go through the offboarding engine (``accessguard.playbooks.revocation``), which
owns its transactions and talks to platforms and Vault. Then one transaction stamps
each item with its outcome and closes the campaign. Closing again after a crash
re-applies the revokes, which is safe: revoking what is gone is ``unchanged``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.errors import ConflictError, InputError, NotFoundError
from accessguard.inventory.models import Grant
from accessguard.playbooks.revocation import revoke_grants
from accessguard.reports.campaigns import get_campaign
from accessguard.reports.models import ReviewItem
from accessguard.results import ActionResult, Outcome

if TYPE_CHECKING:
    from accessguard.app import App


@dataclass
class CloseResult:
    """What closing did: per item outcome, and which engine applied the revokes."""

    campaign: int
    engine: str
    kept: int = 0
    undecided: int = 0
    outcomes: dict[int, ActionResult] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        counts: dict[str, int] = {}
        for result in self.outcomes.values():
            counts[result.outcome.value] = counts.get(result.outcome.value, 0) + 1
        return {
            "campaign": self.campaign,
            "engine": self.engine,
            "kept": self.kept,
            "undecided": self.undecided,
            "revoked": counts,
            "items": {str(k): v.to_dict() for k, v in sorted(self.outcomes.items())},
        }


def close_campaign(app: App, campaign_id: int, *, force: bool = False) -> CloseResult:
    """Apply the revoke decisions of an open campaign and close it."""
    with app.transaction() as session:
        campaign = get_campaign(session, campaign_id, lock=True)
        if campaign.status != "open":
            raise ConflictError(f"{campaign.label} is already closed")
        undecided = session.execute(
            select(func.count()).where(
                ReviewItem.campaign_id == campaign_id, ReviewItem.decision.is_(None)
            )
        ).scalar_one()
        if undecided and not force:
            raise ConflictError(
                f"{campaign.label} has {undecided} undecided item(s)",
                hint="decide them with `accessguard review decide`, or close with --force "
                "(undecided grants are kept and reported as not attested)",
                code="review-undecided",
            )
        revoke = [
            (item_id, grant_id)
            for item_id, grant_id in session.execute(
                select(ReviewItem.id, ReviewItem.grant_id)
                .where(ReviewItem.campaign_id == campaign_id, ReviewItem.decision == "revoke")
                .order_by(ReviewItem.id)
            )
        ]
        label = campaign.label
    reason = f"{label}: reviewer decided revoke"
    grant_ids = [gid for _, gid in revoke]
    results = revoke_grants(app, grant_ids, reason=reason, actor=app.actor) if grant_ids else []
    return _record_close(
        app, campaign_id, revoke, results, engine="playbooks.revocation", undecided=undecided
    )


def _record_close(
    app: App,
    campaign_id: int,
    revoke: list[tuple[int, int]],
    results: list[ActionResult],
    *,
    engine: str,
    undecided: int,
) -> CloseResult:
    outcome = CloseResult(campaign_id, engine, undecided=undecided)
    with app.transaction() as session:
        campaign = get_campaign(session, campaign_id, lock=True)
        now = app.clock.now()
        by_item = dict(zip((i for i, _ in revoke), results, strict=False))
        for item_id, grant_id in revoke:
            result = by_item.get(item_id) or _from_state(session, grant_id)
            item = session.get(ReviewItem, item_id)
            if item is None:  # pragma: no cover - items are never deleted
                continue
            item.outcome = result.outcome.value
            text = result.message
            if result.outcome is Outcome.WAITING and result.instructions:
                text = f"{text}\nto do: {result.instructions}"
            item.outcome_message = text[:4000] or None
            item.applied_at = now
            outcome.outcomes[item_id] = result
        outcome.kept = session.execute(
            select(func.count()).where(
                ReviewItem.campaign_id == campaign_id, ReviewItem.decision == "keep"
            )
        ).scalar_one()
        campaign.status = "closed"
        campaign.closed_at = now
        campaign.closed_by = app.actor
        session.flush()
        record(
            session,
            app.clock,
            actor=app.actor,
            action="review.close",
            target_type="review-campaign",
            target=str(campaign_id),
            details={k: v for k, v in outcome.to_dict().items() if k != "items"},
        )
    return outcome


def _from_state(session: Any, grant_id: int) -> ActionResult:
    """When the engine gave no per-grant result, read the grant's state instead."""
    grant = session.get(Grant, grant_id)
    if grant is not None and grant.revoked_at is not None:
        return ActionResult(Outcome.CHANGED, f"grant {grant_id} ended")
    return ActionResult.failed(f"grant {grant_id} is still active after closing")


def confirm_item(
    session: Session, clock: Clock, actor: str, item_id: int, *, evidence: str
) -> ReviewItem:
    """Record that the manual platform removal of a closed campaign's item was done."""
    evidence = evidence.strip()
    if not evidence:
        raise InputError("--evidence must say what was done (a note, a ticket, a file hash)")
    item = session.get(ReviewItem, item_id)
    if item is None:
        raise NotFoundError(f"no review item {item_id}", code="review-item-not-found")
    if item.outcome != "waiting":
        raise ConflictError(
            f"review item {item_id} is not waiting for a manual step (outcome: {item.outcome or 'none'})"
        )
    item.outcome = "changed"
    item.outcome_message = f"{item.outcome_message or ''}\nconfirmed by {actor}: {evidence}".strip()
    session.flush()
    record(
        session,
        clock,
        actor=actor,
        action="review.confirm",
        target_type="review-item",
        target=str(item_id),
        details={"campaign": item.campaign_id, "grant_id": item.grant_id, "evidence": evidence},
    )
    return item
