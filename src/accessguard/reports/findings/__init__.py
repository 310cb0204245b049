"""The findings engine: rules, each one set-based query, yielding findings as they stream.

    for finding in collect_findings(ctx):
        ...

Kinds and their severities are listed in ``KINDS`` (docs/reports.md explains each).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from accessguard.reports.findings.accounts import account_findings
from accessguard.reports.findings.base import Finding, FindingContext, Severity
from accessguard.reports.findings.credentials import credential_findings, seed_findings
from accessguard.reports.findings.drift import drift_findings
from accessguard.reports.findings.grants import (
    expired_grants,
    external_admins,
    leavers_holding_access,
    stale_grants,
)
from accessguard.reports.findings.meta import meta_findings
from accessguard.reports.findings.recovery import recovery_findings
from accessguard.reports.findings.removals import incomplete_runs, unconfirmed_removals
from accessguard.reports.findings.reviews import overdue_reviews
from accessguard.reports.findings.workspace import workspace_findings

Rule = Callable[[FindingContext], Iterator[Finding]]

RULES: tuple[Rule, ...] = (
    leavers_holding_access,
    expired_grants,
    account_findings,
    recovery_findings,
    workspace_findings,
    meta_findings,
    seed_findings,
    credential_findings,
    external_admins,
    drift_findings,
    overdue_reviews,
    stale_grants,
    unconfirmed_removals,
    incomplete_runs,
)

# kind -> (usual severity, what it means); a rule may raise or lower it for one subject.
KINDS: dict[str, tuple[str, str]] = {
    "departed-holds-access": ("critical", "a departed person still holds access"),
    "leaving-holds-access": ("high", "a leaving person holds access (medium before end date)"),
    "expired-grant": ("high", "a grant past its expiry is still active"),
    "no-admin": ("high", "an account has no active admin"),
    "single-admin": ("medium", "an account has a single active admin"),
    "owner-not-active": ("medium", "an account's owner is leaving or departed"),
    "recovery-leaver": (
        "high",
        "recovery email or phone belongs to a leaver (critical if departed)",
    ),
    "recovery-unknown": ("medium", "recovery email or phone belongs to no company person"),
    "recovery-not-company": ("medium", "recovery email or phone is a person's own, not company"),
    "workspace-admin-no-2sv": ("high", "a Google Workspace super admin has no 2-Step Verification"),
    "workspace-few-super-admins": ("high", "a Google Workspace has fewer than two super admins"),
    "workspace-admin-leaver": (
        "high",
        "a Google Workspace super admin is leaving (critical if departed)",
    ),
    "meta-few-admins": ("high", "a Meta business has fewer than two admins"),
    "meta-2fa-not-required": (
        "high",
        "a Meta business does not require 2FA for everyone (medium: admins only)",
    ),
    "meta-admin-no-2fa": ("high", "a Meta business admin has no two-factor authentication"),
    "meta-pending-email": ("high", "a Meta business user has a pending email change"),
    "no-2fa-custody": ("high", "no 2FA seed in Vault custody (medium without shared login)"),
    "seed-exported": (
        "high",
        "a current 2FA seed was seen by a leaving or departed person, or by someone unknown",
    ),
    "seed-personal-device": ("medium", "a 2FA seed is enrolled on a personal device"),
    "rotation-overdue": ("high", "password older than policy (medium on low/medium accounts)"),
    "rotation-pending": ("medium", "a password rotation awaits confirmation"),
    "external-admin": ("medium", "agency or contractor with an admin role (high if critical)"),
    "drift-unmanaged": ("high", "the platform shows access the inventory does not know"),
    "drift-missing": ("low", "the inventory shows access the platform does not"),
    "review-overdue": ("medium", "a review item is past its due date undecided"),
    "stale-grant": ("low", "a grant unused for the stale window (medium for admin roles)"),
    "removal-unconfirmed": (
        "critical",
        "a grant's platform removal failed or waits: held revoke-pending (high if not departed)",
    ),
    "run-incomplete": ("high", "a run failed, ended partial or was interrupted (medium: waiting)"),
}


def collect_findings(ctx: FindingContext) -> Iterator[Finding]:
    """Every finding, rule after rule, streamed."""
    for rule in RULES:
        yield from rule(ctx)


__all__ = ["KINDS", "RULES", "Finding", "FindingContext", "Severity", "collect_findings"]
