"""Findings about review campaigns: items nobody decided by the due date."""

from __future__ import annotations

from sqlalchemy import select

from accessguard.inventory.models import Account, Person
from accessguard.reports.findings.base import Finding, FindingContext, FindingStream, Severity
from accessguard.reports.models import ReviewCampaign, ReviewItem


def overdue_reviews(ctx: FindingContext) -> FindingStream:
    """Undecided items of open campaigns past their due date (medium)."""
    query = (
        select(
            ReviewItem.grant_id,
            ReviewItem.id,
            ReviewItem.role,
            ReviewItem.reviewer_email,
            ReviewCampaign.id,
            ReviewCampaign.due_date,
            Person.email,
            Account.name,
        )
        .join(ReviewCampaign, ReviewCampaign.id == ReviewItem.campaign_id)
        .join(Person, Person.id == ReviewItem.person_id)
        .join(Account, Account.id == ReviewItem.account_id)
        .where(
            ReviewCampaign.status == "open",
            ReviewCampaign.due_date < ctx.now.date(),
            ReviewItem.decision.is_(None),
        )
        .order_by(ReviewItem.id)
        .execution_options(yield_per=5000)
    )
    for grant_id, item_id, role, reviewer, cid, due, email, account in ctx.session.execute(query):
        yield Finding(
            "review-overdue",
            Severity.MEDIUM,
            "grant",
            str(grant_id),
            f"review item {item_id} (campaign #{cid}: {email}'s {role} on {account}) "
            f"was due {due.isoformat()}; {reviewer} has not decided",
            account=account,
            person=email,
        )
