"""Findings about shared logins and 2FA seeds held in Vault (read from the credentials layer)."""

from __future__ import annotations

from sqlalchemy import select

from accessguard.credentials.models import Credential, TotpKey
from accessguard.inventory.models import Account
from accessguard.reports.findings.base import (
    Finding,
    FindingContext,
    FindingStream,
    Severity,
    age_days,
)


def credential_findings(ctx: FindingContext) -> FindingStream:
    """Rotation older than the policy for the account's criticality, and rotations pending."""
    query = (
        select(Credential, Account.name, Account.criticality)
        .join(Account, Account.id == Credential.account_id)
        .order_by(Account.name)
    )
    for cred, name, criticality in ctx.session.execute(query):
        rotated = cred.rotated_at or cred.created_at
        if cred.state == "rotation-pending":
            yield Finding(
                "rotation-pending",
                Severity.MEDIUM,
                "credential",
                name,
                f"{name}'s password rotation is pending confirmation (version "
                f"{cred.current_version}); the platform may still use the old one",
                account=name,
            )
            continue
        limit = ctx.rotation_days(criticality)
        age = age_days(ctx.now, rotated)
        if age is not None and age > limit:
            severity = Severity.HIGH if criticality in ("high", "critical") else Severity.MEDIUM
            yield Finding(
                "rotation-overdue",
                severity,
                "credential",
                name,
                f"{name}'s password is {age} days old; policy for {criticality} accounts "
                f"is {limit} days",
                account=name,
            )


def seed_findings(ctx: FindingContext) -> FindingStream:
    """2FA seeds that left Vault (exported) or live on a personal phone."""
    query = (
        select(TotpKey, Account.name)
        .join(Account, Account.id == TotpKey.account_id)
        .where(TotpKey.retired_at.is_(None))
        .order_by(Account.name)
    )
    for key, name in ctx.session.execute(query):
        if key.exported:
            who = f" by {key.exported_by}" if key.exported_by else ""
            when = key.exported_at.date().isoformat() if key.exported_at else "unknown date"
            yield Finding(
                "seed-exported",
                Severity.HIGH,
                "account",
                name,
                f"{name}'s 2FA seed was exported{who} on {when}: anyone holding it can log in",
                account=name,
            )
        if key.personal_device:
            yield Finding(
                "seed-personal-device",
                Severity.MEDIUM,
                "account",
                name,
                f"{name}'s 2FA seed is enrolled on a personal device",
                account=name,
            )
