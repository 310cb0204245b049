"""A bounded summary of a findings stream: counts, worst severity, a few examples per kind.

Reports for people (table, Markdown, HTML) read the digest, never the full stream, so
memory stays flat when a large inventory yields a million findings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from accessguard.reports.findings.base import Finding, Severity

EXAMPLES_PER_KIND = 25
ACCEPTED_KEPT = 500
MESSAGES_PER_SUBJECT = 5


@dataclass
class KindSummary:
    """All findings of one kind: how many, how bad at worst, and the first few."""

    kind: str
    severity: Severity
    count: int = 0
    examples: list[Finding] = field(default_factory=list)


@dataclass
class SubjectTally:
    """Findings attached to one account or person row."""

    count: int = 0
    worst: Severity = Severity.INFO
    messages: list[tuple[Severity, str]] = field(default_factory=list)


@dataclass
class Digest:
    """Counts by severity, kind, account and person; fed one finding at a time."""

    keep_messages: bool = False
    by_severity: Counter[Severity] = field(default_factory=Counter)
    by_kind: dict[str, KindSummary] = field(default_factory=dict)
    by_account: dict[str, SubjectTally] = field(default_factory=dict)
    by_person: dict[str, SubjectTally] = field(default_factory=dict)
    #: Findings under a live risk acceptance: listed, never counted above.
    accepted_count: int = 0
    accepted: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        """Count one finding (an accepted one only in ``accepted``)."""
        if finding.accepted is not None:
            self.accepted_count += 1
            if len(self.accepted) < ACCEPTED_KEPT:
                self.accepted.append(finding)
            return
        self.by_severity[finding.severity] += 1
        summary = self.by_kind.get(finding.kind)
        if summary is None:
            summary = self.by_kind[finding.kind] = KindSummary(finding.kind, finding.severity)
        summary.count += 1
        summary.severity = max(summary.severity, finding.severity)
        if len(summary.examples) < EXAMPLES_PER_KIND:
            summary.examples.append(finding)
        if finding.account:
            self._tally(self.by_account, finding.account, finding)
        if finding.person:
            self._tally(self.by_person, finding.person, finding)

    def _tally(self, table: dict[str, SubjectTally], key: str, finding: Finding) -> None:
        tally = table.get(key)
        if tally is None:
            tally = table[key] = SubjectTally()
        tally.count += 1
        tally.worst = max(tally.worst, finding.severity)
        if self.keep_messages and len(tally.messages) < MESSAGES_PER_SUBJECT:
            tally.messages.append((finding.severity, finding.message))

    def feed(self, findings: Iterable[Finding]) -> Iterator[Finding]:
        """Pass findings through, counting each."""
        for finding in findings:
            self.add(finding)
            yield finding

    @property
    def total(self) -> int:
        """How many findings."""
        return sum(self.by_severity.values())

    @property
    def worst(self) -> Severity | None:
        """The highest severity seen, or None when there are no findings."""
        return max(self.by_severity) if self.by_severity else None

    def at_or_above(self, threshold: Severity) -> int:
        """How many findings are at or above ``threshold``."""
        return sum(n for sev, n in self.by_severity.items() if sev >= threshold)

    def kinds(self) -> list[KindSummary]:
        """Kinds, worst first, then most frequent."""
        return sorted(self.by_kind.values(), key=lambda k: (-k.severity, -k.count, k.kind))

    def summary(self) -> dict[str, object]:
        """The JSON ``summary`` block."""
        return {
            "total": self.total,
            "worst": self.worst.label if self.worst is not None else None,
            "by_severity": {s.label: self.by_severity.get(s, 0) for s in reversed(Severity)},
            "by_kind": {k.kind: k.count for k in self.kinds()},
            "accepted": self.accepted_count,
        }
