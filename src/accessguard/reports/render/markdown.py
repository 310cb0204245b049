"""Markdown: the same sections as the table, for wikis, tickets and pull requests."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TextIO

from accessguard.clock import stamp
from accessguard.reports.access import AccessReport
from accessguard.reports.findings.base import Severity

ACCOUNT_COLS = ("name", "platform", "criticality", "active_grants", "admins", "has_2fa_custody")
PEOPLE_COLS = ("email", "kind", "status", "accounts", "admin_roles")
REMOVAL_COLS = ("email", "end_date", "removed_at", "days_to_removal", "pending_removals")


#: Characters that can open a Markdown construct inside a line (emphasis, code, links,
#: images, raw HTML and entities, strike-through, table cells): escaped with a backslash
#: so a platform-supplied name is only ever text. Line-start markers (``#``, ``-``,
#: ``1.``) cannot occur: every value is written after other text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]!|<>~&])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _esc(value: Any) -> str:
    """A value as inert Markdown text: no links, images, HTML, code or table breaks."""
    text = (
        "-"
        if value is None
        else ("yes" if value is True else "no" if value is False else str(value))
    )
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _CONTROL.sub(" ", text))


def _table(out: TextIO, columns: Sequence[str], rows: list[list[Any]]) -> None:
    out.write("| " + " | ".join(columns) + " |\n")
    out.write("|" + "|".join("---" for _ in columns) + "|\n")
    for row in rows:
        out.write("| " + " | ".join(_esc(v) for v in row) + " |\n")
    if not rows:
        out.write("| " + " | ".join(["(none)"] + [""] * (len(columns) - 1)) + " |\n")


def write_markdown(report: AccessReport, out: TextIO, *, limit: int = 500) -> None:
    """The report as Markdown sections and tables."""
    digest = report.run_findings()
    out.write(f"# Access review — {_esc(report.ctx.settings.company.name)}\n\n")
    out.write(f"Generated {stamp(report.now)}. **{digest.total} finding(s).**\n\n")
    _table(
        out,
        [s.label for s in reversed(Severity)],
        [[digest.by_severity.get(s, 0) for s in reversed(Severity)]],
    )
    out.write("\n## Findings\n\n")
    for kind in digest.kinds():
        out.write(f"### {_esc(kind.kind)} ({kind.count}, up to {kind.severity.label})\n\n")
        for f in kind.examples:
            out.write(
                f"- **{f.severity.label}** {_esc(f'{f.subject_type}:{f.subject_id}')} {_esc(f.message)}\n"
            )
        if kind.count > len(kind.examples):
            out.write(f"- … and {kind.count - len(kind.examples)} more (see the JSON or CSV)\n")
        out.write("\n")
    if digest.accepted_count:
        out.write(f"## Accepted risks ({digest.accepted_count}, not counted)\n\n")
        _table(
            out,
            ["severity", "finding", "accepted by", "until", "note"],
            [
                [f.severity.label, f.id, a.by, stamp(a.until), a.note]
                for f in digest.accepted
                if (a := f.accepted) is not None
            ],
        )
        out.write("\n")
    accounts = list(report.accounts())
    out.write(f"## Accounts ({len(accounts)})\n\n")
    _table(
        out,
        ["account", "platform", "criticality", "grants", "admins", "2FA in Vault", "findings"],
        [
            [*(a[c] for c in ACCOUNT_COLS), f"{a['findings']} ({a['worst'] or '-'})"]
            for a in accounts[:limit]
        ],
    )
    out.write(f"\n## People with findings ({len(digest.by_person)})\n\n")
    people = list(report.people(report.worst_people(limit)))
    people.sort(key=lambda p: (-Severity.parse(p["worst"] or "info"), -p["findings"], p["email"]))
    _table(
        out,
        ["person", "kind", "status", "accounts", "admin roles", "findings"],
        [[*(p[c] for c in PEOPLE_COLS), f"{p['findings']} ({p['worst']})"] for p in people],
    )
    out.write("\n## Time to removal (departed people)\n\n")
    _table(
        out,
        ["person", "end date", "removed at", "days", "pending removals"],
        [[r[c] for c in REMOVAL_COLS] for r in report.removal_times()][:limit],
    )
