"""CSV: one row per finding (the part spreadsheets and SIEMs want), streamed."""

from __future__ import annotations

import csv
from typing import TextIO

from accessguard.clock import stamp
from accessguard.reports.access import AccessReport

COLUMNS = ("severity", "kind", "subject_type", "subject_id", "account", "person", "message")
#: Appended after ``COLUMNS`` (older readers keep their positions): the id and acceptance.
ACCEPTANCE_COLUMNS = ("id", "accepted_by", "accepted_until", "accepted_note")


def write_csv(report: AccessReport, out: TextIO, *, headers: bool = True) -> None:
    """Write the findings as CSV, with a header row unless ``headers`` is false."""
    writer = csv.writer(out, lineterminator="\n")
    if headers:
        writer.writerow(COLUMNS + ACCEPTANCE_COLUMNS)
    for finding in report.findings():
        row = finding.to_dict()
        accepted = finding.accepted
        extra = [
            finding.id,
            accepted.by if accepted else None,
            stamp(accepted.until) if accepted else None,
            accepted.note if accepted else None,
        ]
        writer.writerow([formula_safe(row[c]) for c in COLUMNS] + [formula_safe(v) for v in extra])


#: What makes a spreadsheet read a cell as a formula (OWASP's CSV injection list): the
#: four operators, and a tab or carriage return that some spreadsheets skip before them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: object) -> str:
    """Neutralise spreadsheet formulas (CSV injection) in values that came from users."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
