"""Findings about shared logins and 2FA seeds held in Vault (read from the credentials layer)."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from accessguard.credentials.exposure import SEED_KINDS
from accessguard.credentials.fields import ALL, TOTP_SEED
from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import credentials as _CREDENTIALS
from accessguard.db.tables import exposures as _EXPOSURES
from accessguard.db.tables import people as _PEOPLE
from accessguard.db.tables import totp_keys as _TOTP
from accessguard.reports.findings.base import (
    Finding,
    FindingContext,
    FindingStream,
    Severity,
    age_days,
)


def credential_findings(ctx: FindingContext) -> FindingStream:
    """Rotation older than the policy for the account's criticality, and rotations pending."""
    accounts, creds = _ACCOUNTS.c, _CREDENTIALS.c
    query = (
        select(
            creds.state,
            creds.current_version,
            creds.rotated_at,
            creds.created_at,
            accounts.name,
            accounts.criticality,
        )
        .join(_ACCOUNTS, accounts.id == creds.account_id)
        .order_by(accounts.name)
    )
    for cred in ctx.session.execute(query):
        name, criticality = cred.name, cred.criticality
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
    """2FA seeds someone who should not still hold them may hold, and seeds on a personal phone.

    ``seed-exported`` fires for what is still current: a seed of the generation in use (or
    pending) shown to or pasted by a person who is leaving or departed, or a key still
    marked exported by a version before 0010 (shown to someone outside the inventory). A
    seed shown once to an operator at enrolment is their exposure, not a finding;
    re-enrolment (a new generation) clears both. One finding per account (a stable id).
    """
    leavers = _leavers_holding_seeds(ctx)
    accounts, keys = _ACCOUNTS.c, _TOTP.c
    query = (
        select(
            keys.exported, keys.exported_by, keys.exported_at, keys.personal_device, accounts.name
        )
        .join(_ACCOUNTS, accounts.id == keys.account_id)
        .where(keys.retired_at.is_(None))
        .order_by(accounts.name)
    )
    for key in ctx.session.execute(query):
        name = key.name
        holders = leavers.get(name, [])
        reasons = [f"seen by {email} ({status}) on {day}" for email, status, day in holders]
        if key.exported:
            who = f" to {key.exported_by}" if key.exported_by else ""
            when = key.exported_at.date().isoformat() if key.exported_at else "unknown date"
            reasons.append(f"exported{who} on {when}")
        if reasons:
            yield Finding(
                "seed-exported",
                Severity.HIGH,
                "account",
                name,
                f"{name}'s current 2FA seed was {'; '.join(reasons)}: whoever holds it can "
                f"log in; re-enrol it (`accessguard totp regenerate {name}`, or offboard them)",
                account=name,
                person=holders[0][0] if len(holders) == 1 else None,
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


def _leavers_holding_seeds(ctx: FindingContext) -> dict[str, list[tuple[str, str, str]]]:
    """Who, leaving or departed, saw each account's current seed: (email, status, day)."""
    accounts, keys, exposures, people = _ACCOUNTS.c, _TOTP.c, _EXPOSURES.c, _PEOPLE.c
    query = (
        select(accounts.name, people.email, people.status, func.max(exposures.occurred_at))
        .select_from(_EXPOSURES)
        .join(_TOTP, keys.id == exposures.totp_key_id)
        .join(_ACCOUNTS, accounts.id == keys.account_id)
        .join(_PEOPLE, people.id == exposures.person_id)
        .where(
            keys.retired_at.is_(None),
            exposures.kind.in_(SEED_KINDS),
            exposures.field.in_((TOTP_SEED, ALL)),
            people.status.in_(("leaving", "departed")),
            or_(
                exposures.version == keys.generation,
                exposures.version == keys.pending_generation,
            ),
        )
        .group_by(accounts.name, people.email, people.status)
        .order_by(accounts.name, people.email)
    )
    found: dict[str, list[tuple[str, str, str]]] = {}
    for name, email, status, last in ctx.session.execute(query):
        found.setdefault(name, []).append((email, status, last.date().isoformat()))
    return found
