"""CSV: one row per finding (the part spreadsheets and SIEMs want), streamed."""

from __future__ import annotations

import csv
from typing import TextIO

from accessguard.reports.access import AccessReport

COLUMNS = ("severity", "kind", "subject_type", "subject_id", "account", "person", "message")


def write_csv(report: AccessReport, out: TextIO) -> None:
    """Write the findings as CSV with a header row."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for finding in report.findings():
        row = finding.to_dict()
        writer.writerow([_safe(row[c]) for c in COLUMNS])


def _safe(value: object) -> str:
    """Neutralise spreadsheet formulas (CSV injection) in values that came from users."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
