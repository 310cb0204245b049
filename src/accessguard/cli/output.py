"""Rendering helpers: data to stdout in the chosen format, diagnostics to stderr.

Every data-printing command renders through ``emit_json`` or ``table``; the output
settings (format, quiet, headers, colour) are set once per command by
``cli/conventions.py`` from ``-o/--output``, ``--quiet``, ``--no-headers`` and
``--color``. Human output writes every timestamp one way: ISO 8601 UTC, seconds, ``Z``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from accessguard.clock import stamp
from accessguard.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console


class Format(StrEnum):
    """What ``-o/--output`` accepts."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    NDJSON = "ndjson"


class Color(StrEnum):
    """What ``--color`` accepts."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


@dataclass(frozen=True)
class OutputSettings:
    """How one command prints its data."""

    format: Format = Format.TABLE
    quiet: bool = False
    headers: bool = True
    color: Color = Color.AUTO
    field: str | None = None


_DEFAULT = OutputSettings()
_SETTINGS: ContextVar[OutputSettings] = ContextVar("output_settings")

_ISO_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})?"
)
NO_CSV = "this command's output has no CSV form; use -o json"


def settings() -> OutputSettings:
    """The output settings of the running command (defaults outside one)."""
    return _SETTINGS.get(_DEFAULT)


@contextmanager
def written_to(out: Path | None) -> Iterator[None]:
    """Send the data printed inside the block to ``out`` (0600, never through a symlink).

    ``None`` leaves stdout alone. The file follows ``files.open_private``, as every
    ``--out`` does: it replaces the target only when the block finishes without an error.
    """
    if out is None:
        yield
        return
    from accessguard.files import open_private

    with open_private(out, newline="", folders=False) as handle, redirect_stdout(handle):
        yield


@contextmanager
def using(chosen: OutputSettings) -> Iterator[None]:
    """Render with ``chosen`` inside the block."""
    token = _SETTINGS.set(chosen)
    try:
        yield
    finally:
        _SETTINGS.reset(token)


def color_enabled(*, isatty: bool) -> bool:
    """Whether to colour a stream: ``--color``, else ``NO_COLOR``, else only on a terminal."""
    chosen = settings().color
    if chosen is Color.ALWAYS:
        return True
    if chosen is Color.NEVER or os.environ.get("NO_COLOR", ""):
        return False
    return isatty


def timestamp(value: datetime) -> str:
    """``value`` as ISO 8601 UTC with seconds and ``Z`` (naive values are UTC already)."""
    return stamp(value)


def _scalar(value: Any) -> Any:
    """Timestamps (objects or ISO strings) in the one format; other values unchanged."""
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and _ISO_TIMESTAMP.fullmatch(value):
        return timestamp(datetime.fromisoformat(value))
    return value


def normalise(data: Any) -> Any:
    """``data`` with every timestamp in it, at any depth, in the one format."""
    if isinstance(data, dict):
        return {key: normalise(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [normalise(value) for value in data]
    return _scalar(data)


def cell(value: Any) -> str:
    """How one value reads in a table or a key: value line (``-`` for nothing)."""
    value = _scalar(value)
    if value is None or value == []:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value) or "-"
    return str(value)


#: Diagnostic lines ``--quiet`` never silences: problems, not notes.
PROBLEMS = ("error:", "warning:")


def info(message: str) -> None:
    """A diagnostic line on stderr (``--quiet`` silences it unless it reports a problem)."""
    if not settings().quiet or message.startswith(PROBLEMS):
        click.echo(message, err=True)


def emit_json(data: Any) -> None:
    """Print a command's data in the chosen format: JSON (the default here), NDJSON or CSV.

    JSON is indented with a stable key order; NDJSON prints a list one object a line;
    CSV takes a flat object or a list of flat objects, and refuses anything nested.
    JSON keeps timestamps exactly as the library gives them (the audit trail's are
    hashed to the microsecond); CSV and tables write them in the one human format.
    """
    chosen = settings().format
    if settings().field:
        for value in pick(data, settings().field or ""):
            click.echo(value)
    elif chosen is Format.CSV:
        columns, rows = _csv_shape(normalise(data))
        _write_csv(columns, rows)
    elif chosen is Format.NDJSON:
        for item in data if isinstance(data, list) else [data]:
            click.echo(
                json.dumps(item, sort_keys=True, separators=(",", ":"), default=_json_default)
            )
    else:
        click.echo(json.dumps(data, indent=2, sort_keys=True, default=_json_default))


def _json_default(value: Any) -> str:
    """Datetimes as ISO 8601 (``T``, as the records' own strings), anything else as text."""
    return value.isoformat() if isinstance(value, date) else str(value)


def pick(data: Any, field: str) -> list[str]:
    """The values of ``field`` (``a.b`` reaches into objects), one per item of a list.

    What ``--field NAME`` prints, one value a line for scripts: text as is, nothing as an
    empty line, objects and lists as compact JSON. As in CSV, a field that an object does
    not have is looked for in its one list of records (``who-has ACCOUNT --field person``).
    """
    outer: set[str] = set(data) if isinstance(data, dict) else set()
    if isinstance(data, dict) and field.split(".")[0] not in data:
        lists = [v for v in data.values() if _records(v)]
        data = lists[0] if len(lists) == 1 else data
    items = data if isinstance(data, list) else [data]
    values: list[str] = []
    for item in items:
        value = item
        for key in field.split("."):
            if not isinstance(value, dict) or key not in value:
                names = outer | (set(item) if isinstance(item, dict) else set())
                known = ", ".join(sorted(names)) or "none"
                raise UsageError(f"no field {field!r} in this output", hint=f"fields: {known}")
            value = value[key]
        values.append(_plain(value))
    return values


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_json_default)
    return str(value)


def _flat(value: Any) -> bool:
    """Whether ``value`` reads as plain text in one cell: a scalar or a list of scalars."""
    if isinstance(value, list | tuple):
        return all(not isinstance(v, dict | list | tuple) for v in value)
    return not isinstance(value, dict)


def _records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _csv_shape(data: Any) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of flat data, or the one-line refusal for nested data.

    An object holding exactly one list of records (``who-has``: the account and its
    grants; ``review report``: the campaign and its items) prints that list's rows. In a
    row, a list of plain values is joined with ``; `` and anything nested (an account's
    ``settings``, a connector's list of settings) is one cell of compact JSON. An object
    holding two lists of records has no CSV form.
    """
    if isinstance(data, dict):
        lists = [v for v in data.values() if _records(v)]
        if len(lists) > 1:  # which one is meant? -o json shows them all
            raise UsageError(NO_CSV, hint="pick fields with a JSON tool, for example jq")
        if lists:
            data = lists[0]
    items = data if isinstance(data, list) else [data]
    if items and all(not isinstance(i, dict | list | tuple) for i in items):
        return ["value"], [[i] for i in items]
    if not all(isinstance(i, dict) for i in items):
        raise UsageError(NO_CSV, hint="pick fields with a JSON tool, for example jq")
    columns: list[str] = []
    for item in items:
        columns.extend(key for key in item if key not in columns)
    return columns, [[item.get(c) for c in columns] for item in items]


def _csv_cell(value: Any) -> str:
    from accessguard.reports.render.csv_out import formula_safe

    value = _scalar(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not _flat(value):
        return formula_safe(_plain(value))
    if isinstance(value, list | tuple):
        return formula_safe("; ".join("" if v is None else str(_scalar(v)) for v in value))
    return formula_safe(value)


def _write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if settings().headers and columns:  # an empty list has no columns: print nothing
        writer.writerow(columns)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    click.echo(buffer.getvalue(), nl=False)


def table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None
) -> None:
    """Print rows in the chosen format: a table (rich on a terminal), CSV, JSON or NDJSON."""
    chosen = settings()
    if chosen.format is Format.CSV:
        _write_csv(columns, rows)
        return
    if chosen.format in (Format.JSON, Format.NDJSON):
        emit_json([dict(zip(columns, row, strict=True)) for row in rows])
        return
    data = [[cell(v) for v in row] for row in rows]
    title = None if chosen.quiet else title
    tty = sys.stdout.isatty()
    if tty or chosen.color is Color.ALWAYS:
        _rich_table(columns, data, title=title, color=color_enabled(isatty=tty))
        return
    if title:
        click.echo(title)
    widths = [len(c) for c in columns]
    for row in data:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    if chosen.headers:
        header = "  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True))
        click.echo(header.rstrip())
    for row in data:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    if not data and not chosen.quiet:
        click.echo("(none)")


def _rich_table(
    columns: Sequence[str], data: list[list[str]], *, title: str | None, color: bool
) -> None:
    from rich.table import Table

    tbl = Table(title=title, show_lines=False, header_style="bold", show_header=settings().headers)
    for col in columns:
        tbl.add_column(col)
    for row in data:
        tbl.add_row(*row)
    console(color=color).print(tbl)


def console(*, stderr: bool = False, color: bool | None = None) -> Console:
    """A rich console that follows ``--color`` and ``NO_COLOR`` (tables, progress bars)."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    if color is None:
        color = color_enabled(isatty=stream.isatty())
    if color:
        return Console(stderr=stderr, force_terminal=True, no_color=False)
    return Console(stderr=stderr, color_system=None, no_color=True)
