"""Findings from reconcile: access on a platform the inventory does not know, and back."""

from __future__ import annotations

from accessguard.reconcile.records import latest_drift
from accessguard.reports.findings.base import Finding, FindingContext, FindingStream, Severity


def drift_findings(ctx: FindingContext) -> FindingStream:
    """Each account's drift from its latest successful reconcile check."""
    for item in latest_drift(ctx.session):
        who = item.email or item.holder_name or item.platform_id or "someone"
        role = f" ({item.role})" if item.role else ""
        found = f"{item.found_at:%Y-%m-%d}"
        if item.kind == "unmanaged":
            yield Finding(
                "drift-unmanaged",
                Severity.HIGH,
                "account",
                item.account_name,
                f"{item.platform} shows {who}{role} on {item.account_name}, unknown to the "
                f"inventory (reconcile {found})",
                account=item.account_name,
                person=item.email if item.person_id else None,
            )
        else:
            yield Finding(
                "drift-missing",
                Severity.LOW,
                "grant" if item.grant_id else "account",
                str(item.grant_id) if item.grant_id else item.account_name,
                f"the inventory's grant for {who}{role} on {item.account_name} is not on "
                f"{item.platform} (reconcile {found})",
                account=item.account_name,
                person=item.email,
            )
