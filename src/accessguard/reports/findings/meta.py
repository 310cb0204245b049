"""Findings about Meta businesses, from the last lock-out scan (``--fetch-lockout``).

Per business: fewer than two admins, and a 2FA requirement short of everyone
(``two_factor_type``); per business user: an admin without two-factor authentication,
and a pending email change (the pending address becomes the login once verified: an
account takeover path). Accounts of one business (a portfolio, its Page, its Instagram
account) share its facts: a business is reported once, on the first of its accounts by
name. No scan recorded, no finding.
"""

from __future__ import annotations

from collections.abc import Iterator

from accessguard.connectors.meta_lockout import BusinessUserFacts, MetaLockout
from accessguard.reports.findings.base import Finding, FindingContext, FindingStream, Severity
from accessguard.reports.findings.recovery import Contacts, contacts
from accessguard.reports.lockout import MetaScan, recorded_meta_scans

#: ``two_factor_type`` -> severity of the finding (``all_required`` raises none).
REQUIREMENT_SEVERITY = {"none": Severity.HIGH, "admin_required": Severity.MEDIUM}
SECURITY_CENTRE = "Business settings > Security Centre > Two-factor authentication"
FIXES = {
    "meta-few-admins": "add a second admin (Business settings > People) so one lost login"
    " cannot lock the business out",
    "meta-2fa-not-required": f"require it for everyone ({SECURITY_CENTRE})",
    "meta-admin-no-2fa": "have them turn on two-factor authentication, or require it for"
    f" everyone ({SECURITY_CENTRE})",
    "meta-pending-email": "if nobody asked for this change, cancel it (Business settings >"
    " People > the person) and find out who requested it",
}


def businesses(scans: list[MetaScan]) -> Iterator[MetaScan]:
    """One scan per business: the first account by name (scans come sorted by name)."""
    seen: set[str] = set()
    for scan in scans:
        if scan.business.business_id not in seen:
            seen.add(scan.business.business_id)
            yield scan


def meta_findings(ctx: FindingContext) -> FindingStream:
    """Admins, the 2FA requirement, admins' 2FA and pending email changes of each business."""
    known = contacts(ctx)
    for scan in businesses(recorded_meta_scans(ctx.session)):
        business = scan.business
        where = f"{scan.account}: Meta business {business.business_name or business.business_id}"
        when = f"scanned {scan.scanned_at.date().isoformat()}"
        yield from _business_findings(scan.account, where, when, business)
        for user in business.users:
            yield from _user_findings(scan.account, where, when, user, known)


def _business_findings(account: str, where: str, when: str, business: MetaLockout) -> FindingStream:
    admins = len(business.admins)
    if admins < 2:
        yield Finding(
            "meta-few-admins",
            Severity.HIGH,
            "account",
            account,
            f"{where} has {admins} admin(s) ({when}): lock-out risk; {FIXES['meta-few-admins']}",
            account=account,
        )
    required = business.two_factor_type
    if required != "all_required":
        shown = f"'{required}'" if required else "not reported"
        yield Finding(
            "meta-2fa-not-required",
            REQUIREMENT_SEVERITY.get(required or "", Severity.MEDIUM),
            "account",
            account,
            f"{where} does not require two-factor authentication for everyone"
            f" (two_factor_type {shown}, {when}); {FIXES['meta-2fa-not-required']}",
            account=account,
        )


def _user_findings(
    account: str, where: str, when: str, user: BusinessUserFacts, known: Contacts
) -> FindingStream:
    subject = f"{account}/{user.label}"
    if user.is_admin and not user.two_factor_on:
        status = f"'{user.two_fac_status}'" if user.two_fac_status else "not reported"
        yield Finding(
            "meta-admin-no-2fa",
            Severity.HIGH,
            "account",
            subject,
            f"{where}: admin {user.label} has no two-factor authentication"
            f" (two_fac_status {status}, {when}); {FIXES['meta-admin-no-2fa']}",
            account=account,
            person=user.email,
        )
    if user.pending_email:
        yield Finding(
            "meta-pending-email",
            Severity.HIGH,
            "account",
            subject,
            f"{where}: {user.label} has a pending email change to {_whose(user, known)}"
            f" ({when}): once verified it becomes their login; {FIXES['meta-pending-email']}",
            account=account,
            person=user.email,
        )


def _whose(user: BusinessUserFacts, known: Contacts) -> str:
    """The pending address; a person's personal one is named by their work email instead."""
    pending = user.pending_email or ""
    holder = known.emails.get(pending)
    if holder is not None and holder.personal:
        return f"the personal email of {holder.email} ({holder.status})"
    return pending
