"""Rendering helpers: JSON to stdout, tables to stdout, diagnostics to stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import click


def emit_json(data: Any) -> None:
    """Print ``data`` as indented JSON with a stable key order."""
    click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))


def info(message: str) -> None:
    """A diagnostic line on stderr."""
    click.echo(message, err=True)


def cell(value: Any) -> str:
    """How one value reads in a table or a key: value line (``-`` for nothing)."""
    if value is None or value == []:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


def table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None
) -> None:
    """Print a table to stdout (rich on a terminal, aligned plain text otherwise)."""
    data = [[cell(v) for v in row] for row in rows]
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        tbl = Table(title=title, show_lines=False, header_style="bold")
        for col in columns:
            tbl.add_column(col)
        for row in data:
            tbl.add_row(*row)
        Console().print(tbl)
        return
    if title:
        click.echo(title)
    widths = [len(c) for c in columns]
    for row in data:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    click.echo("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in data:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    if not data:
        click.echo("(none)")
