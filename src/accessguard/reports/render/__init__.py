"""Renderers of the access report: table, json, csv, md, html. Each writes to a text stream."""

from __future__ import annotations

from typing import TextIO

from accessguard.errors import UsageError
from accessguard.reports.access import AccessReport
from accessguard.reports.digest import Digest

FORMATS = ("table", "json", "csv", "md", "html")
HUMAN_ROWS = 500


def render(report: AccessReport, fmt: str, out: TextIO, *, headers: bool = True) -> Digest:
    """Write ``report`` in ``fmt`` to ``out``; returns the findings digest (for --fail-on).

    ``headers=False`` (``--no-headers``) drops the CSV header row.
    """
    if fmt == "json":
        from accessguard.reports.render.json_out import write_json

        write_json(report, out)
    elif fmt == "csv":
        from accessguard.reports.render.csv_out import write_csv

        write_csv(report, out, headers=headers)
    elif fmt == "table":
        from accessguard.reports.render.text import write_text

        write_text(report, out)
    elif fmt == "md":
        from accessguard.reports.render.markdown import write_markdown

        write_markdown(report, out)
    elif fmt == "html":
        from accessguard.reports.render.html import write_html

        write_html(report, out)
    else:
        raise UsageError(f"unknown format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")
    return report.digest
