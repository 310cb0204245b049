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


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem; ``account`` and ``person`` let reports attach it to their rows."""

    kind: str
    severity: Severity
    subject_type: str
    subject_id: str
    message: str
    account: str | None = None
    person: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape of a finding."""
        return {
            "kind": self.kind,
            "severity": self.severity.label,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "message": self.message,
            "account": self.account,
            "person": self.person,
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
