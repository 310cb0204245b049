"""JSON: one document, written as it streams (findings, accounts, people, then the summary)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from accessguard.reports.access import AccessReport


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _array(out: TextIO, key: str, rows: Iterable[dict[str, Any]]) -> None:
    out.write(f',\n  "{key}": [')
    first = True
    for row in rows:
        out.write("\n    " if first else ",\n    ")
        out.write(_dump(row))
        first = False
    out.write("\n  ]" if not first else "]")


def write_json(report: AccessReport, out: TextIO) -> None:
    """Stream the whole report as one JSON object with a stable shape."""
    header = report.header()
    out.write("{\n")
    out.write(",\n".join(f"  {_dump(k)}: {_dump(v)}" for k, v in header.items()))
    _array(out, "findings", (f.to_dict() for f in report.findings()))
    _array(out, "accounts", report.accounts())
    _array(out, "people", report.people())
    _array(out, "removal_times", report.removal_times())
    out.write(f',\n  "summary": {_dump(report.digest.summary())}\n}}\n')
