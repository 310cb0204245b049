"""Findings about Google Workspace super admins, from the last Directory API scan.

A super admin without 2-Step Verification, one who is leaving or departed (matched by
work email to the inventory), one whose recovery email or phone belongs to a leaver or
to nobody we know (the rules of ``recovery.py``), and a Workspace with fewer than two
super admins. No scan recorded (``report access --fetch-lockout``), no
finding.
"""

from __future__ import annotations

from accessguard.reports.findings.base import Finding, FindingContext, FindingStream, Severity
from accessguard.reports.findings.recovery import (
    FIXES,
    LEAVER_STATUSES,
    classified,
    contacts,
    grouped,
    recovery_channels,
)
from accessguard.reports.lockout import recorded_scans


def workspace_findings(ctx: FindingContext) -> FindingStream:
    """Super admins' 2SV and recovery channels, and how many super admins there are."""
    known = contacts(ctx)
    for scan in recorded_scans(ctx.session):
        name, when = scan.account, scan.scanned_at.date().isoformat()
        if len(scan.admins) < 2:
            yield Finding(
                "workspace-few-super-admins",
                Severity.HIGH,
                "account",
                name,
                f"{name} has {len(scan.admins)} super admin(s) (scanned {when}): lock-out risk;"
                " name a second super admin",
                account=name,
            )
        for admin in scan.admins:
            subject = f"{name}/{admin.email}"
            if not admin.enrolled_2sv:
                yield Finding(
                    "workspace-admin-no-2sv",
                    Severity.HIGH,
                    "account",
                    subject,
                    f"{name}: super admin {admin.email} is not enrolled in 2-Step Verification"
                    f" (scanned {when}); enrol them or remove the role",
                    account=name,
                    person=admin.email,
                )
            holder = known.emails.get(admin.email.lower())
            if holder is not None and not holder.personal and holder.status in LEAVER_STATUSES:
                departed = holder.status == "departed"
                yield Finding(
                    "workspace-admin-leaver",
                    Severity.CRITICAL if departed else Severity.HIGH,
                    "account",
                    subject,
                    f"{name}: super admin {admin.email} is {holder.status} (scanned {when});"
                    " unassign Super Admin (Admin console > Directory > Users) after naming"
                    " another",
                    account=name,
                    person=admin.email,
                )
            found = recovery_channels(
                ctx, known, email=admin.recovery_email, phone=admin.recovery_phone
            )
            for kind, (severity, parts, person) in grouped(classified(found)).items():
                yield Finding(
                    kind,
                    severity,
                    "account",
                    subject,
                    f"{name}: super admin {admin.email}'s {'; '.join(parts)}: {FIXES[kind]}",
                    account=name,
                    person=person or admin.email,
                )
