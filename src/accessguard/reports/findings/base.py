"""What a finding is: a kind, a severity, a subject and a one-line explanation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from sqlalchemy import Connection

from accessguard.config import Settings
from accessguard.errors import UsageError


class Severity(IntEnum):
    """Ordered severities; ``--fail-on`` compares with these."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        """The lower-case name used in every output."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """A severity from its name; UsageError for anything else."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise UsageError(
                f"unknown severity {text!r}", hint=f"use one of: {names}", code="bad-severity"
            ) from None


SUBJECT_TYPES = ("person", "account", "grant", "credential", "run")


def finding_id(kind: str, subject_type: str, subject_id: str) -> str:
    """A finding's stable id: kind and subject (``no-admin:account:brand-x``)."""
    return f"{kind}:{subject_type}:{subject_id}"


@dataclass(frozen=True, slots=True)
class Acceptance:
    """A risk accepted by ``by`` until ``until`` (exclusive), no worse than ``severity``."""

    id: int
    finding_id: str
    kind: str
    severity: Severity
    note: str
    at: datetime
    by: str
    until: datetime
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape of an acceptance."""
        return {
            "id": self.id,
            "finding": self.finding_id,
            "kind": self.kind,
            "severity": self.severity.label,
            "note": self.note,
            "accepted_at": self.at.isoformat(),
            "accepted_by": self.by,
            "until": self.until.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "revoked_by": self.revoked_by,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem; ``account`` and ``person`` let reports attach it to their rows.

    ``accepted`` is the live risk acceptance covering it, if any: an accepted finding
    is shown, marked, and not counted.
    """

    kind: str
    severity: Severity
    subject_type: str
    subject_id: str
    message: str
    account: str | None = None
    person: str | None = None
    accepted: Acceptance | None = None

    @property
    def id(self) -> str:
        """The stable id ``report accept`` takes."""
        return finding_id(self.kind, self.subject_type, self.subject_id)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape of a finding."""
        return {
            "id": self.id,
            "kind": self.kind,
            "severity": self.severity.label,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "message": self.message,
            "account": self.account,
            "person": self.person,
            "accepted": self.accepted.to_dict() if self.accepted else None,
        }


@dataclass(frozen=True)
class FindingContext:
    """What every rule needs: the connection to read through, the policy and one fixed 'now'."""

    session: Connection
    settings: Settings
    now: datetime
    # Results shared between rules and report sections within one report (computed once).
    cache: dict[str, Any] = field(default_factory=dict)

    def days_ago(self, days: int) -> datetime:
        """The instant ``days`` days before now."""
        return self.now - timedelta(days=days)

    def rotation_days(self, criticality: str) -> int:
        """The rotation policy for an account of this criticality."""
        policy = self.settings.policy
        return int(getattr(policy, f"rotation_days_{criticality}", policy.rotation_days_medium))


def age_days(now: datetime, then: datetime | None) -> int | None:
    """Whole days between ``then`` and ``now`` (None stays None)."""
    return None if then is None else max(0, (now - then).days)


FindingStream = Iterator[Finding]
