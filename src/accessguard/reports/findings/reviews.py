"""Findings about review campaigns: items nobody decided by the due date."""

from __future__ import annotations

from accessguard.reports.findings.base import Finding, FindingContext, FindingStream, Severity
from accessguard.reviews.campaigns import overdue_items


def overdue_reviews(ctx: FindingContext) -> FindingStream:
    """Undecided items of open campaigns past their due date (medium)."""
    for item in overdue_items(ctx.session, ctx.now.date()):
        yield Finding(
            "review-overdue",
            Severity.MEDIUM,
            "grant",
            str(item["grant_id"]),
            f"review item {item['item']} (campaign #{item['campaign']}: {item['person']}'s "
            f"{item['role']} on {item['account']}) was due {item['due']}; "
            f"{item['reviewer']} has not decided",
            account=item["account"],
            person=item["person"],
        )
