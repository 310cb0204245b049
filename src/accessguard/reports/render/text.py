"""Plain-text tables for a terminal: summary, findings by kind, accounts, people at risk."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TextIO

from accessguard.clock import stamp
from accessguard.reports.access import AccessReport
from accessguard.reports.findings.base import Severity

#: Control characters (ANSI escapes, carriage returns) in platform-supplied names could
#: rewrite the operator's terminal; they are shown as "?".
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


#: The columns of the time-to-removal section (``AccessReport.removal_times``).
REMOVAL_COLS = ("email", "end_date", "removed_at", "days_to_removal", "pending_removals")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _CONTROL.sub("?", str(value))


def _table(out: TextIO, title: str, columns: Sequence[str], rows: list[list[Any]]) -> None:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in cells:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    out.write(f"\n{title}\n")
    out.write("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    out.write("\n")
    for row in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")
    if not cells:
        out.write("(none)\n")


def write_text(report: AccessReport, out: TextIO, *, limit: int = 500) -> None:
    """The report as aligned text tables (rows capped at ``limit`` per section)."""
    digest = report.run_findings()
    out.write(f"Access review, {stamp(report.now)}: {digest.total} finding(s)\n")
    out.write(
        "  ".join(f"{s.label}: {digest.by_severity.get(s, 0)}" for s in reversed(Severity)) + "\n"
    )
    rows: list[list[Any]] = []
    for kind in digest.kinds():
        for f in kind.examples:
            rows.append([f.severity.label, f.kind, f"{f.subject_type}:{f.subject_id}", f.message])
        if kind.count > len(kind.examples):
            more = kind.count - len(kind.examples)
            rows.append(["", kind.kind, "", f"... and {more} more (see -o json or csv)"])
    _table(out, "FINDINGS", ["severity", "kind", "subject", "finding"], rows)
    if digest.accepted_count:
        _table(
            out,
            f"ACCEPTED RISKS ({digest.accepted_count}, not counted)",
            ["severity", "finding", "accepted by", "until", "note"],
            [
                [f.severity.label, f.id, a.by, stamp(a.until), a.note]
                for f in digest.accepted
                if (a := f.accepted) is not None
            ],
        )
    accounts = [
        [
            a["name"],
            a["platform"],
            a["criticality"],
            a["active_grants"],
            a["admins"],
            a["has_2fa_custody"],
            a["credential_age_days"],
            a["findings"],
            a["worst"],
        ]
        for a in report.accounts()
    ]
    note = f" (first {limit} of {len(accounts)})" if len(accounts) > limit else ""
    _table(
        out,
        f"ACCOUNTS{note}",
        ["account", "platform", "crit", "grants", "admins", "2fa", "pw age", "findings", "worst"],
        accounts[:limit],
    )
    people = [
        [p[c] for c in ("email", "kind", "status", "accounts", "admin_roles", "findings", "worst")]
        for p in report.people(report.worst_people(limit))
    ]
    people.sort(key=lambda r: (-Severity.parse(r[6] or "info"), -r[5], r[0]))
    _table(
        out,
        f"PEOPLE WITH FINDINGS ({len(digest.by_person)})",
        ["person", "kind", "status", "accounts", "admin", "findings", "worst"],
        people,
    )
    _table(
        out,
        "TIME TO REMOVAL (departed people)",
        ["person", "end date", "removed at", "days", "pending"],
        [[r[c] for c in REMOVAL_COLS] for r in report.removal_times()][:limit],
    )
