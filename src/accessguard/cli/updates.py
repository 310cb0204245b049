"""What `accounts update`, `people update` and `people cancel-leave` share: options and the report.

Each plans ``{field: [before, after]}``, writes it unless ``--dry-run``, and prints the
same thing either way: JSON on stdout, or a ``field: before -> after`` line per field,
then a summary on stderr. ``stacked`` builds these option sets (and the other commands').
"""

from __future__ import annotations

import json
from typing import Any

import click

from accessguard.cli.option_names import Decorator, change_rows
from accessguard.cli.options import reason_option
from accessguard.cli.output import cell, emit_json, info


def stacked(*options: Decorator) -> Decorator:
    """One decorator applying ``options`` in the order given (as if stacked above a command)."""

    def decorate(command: Any) -> Any:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def change_options() -> Decorator:
    """``--reason``, ``--dry-run`` and ``--json`` of a command that changes one record."""
    return stacked(
        reason_option(),
        click.option("--dry-run", is_flag=True, help="Print what would change and change nothing."),
        click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON."),
    )


def _text(value: Any) -> str:
    """A field value on one line (a mapping, such as an account's settings, as JSON)."""
    return json.dumps(value, sort_keys=True) if isinstance(value, dict) else cell(value)


def report_change(
    kind: str, name: str, diff: dict[str, list[Any]], *, dry_run: bool, as_json: bool, done: str
) -> None:
    """What a change of the ``kind`` record ``name`` did (or would do); ``done`` ends a real one."""
    if as_json:
        emit_json({kind: name, "dry_run": dry_run, "changes": change_rows(diff)})
    else:
        for field, (before, after) in diff.items():
            click.echo(f"{field}: {_text(before)} -> {_text(after)}")
    if not diff:
        info(f"{name}: nothing to change")
    elif dry_run:
        info(f"{name}: {len(diff)} change(s) (dry run: nothing written)")
    else:
        info(f"{name}: {done}")
