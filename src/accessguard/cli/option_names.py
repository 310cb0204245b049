"""Option names: one name per meaning, old names kept working as hidden aliases.

``--reason`` is the why of a change, ``--until``/``--on`` are dates (YYYY-MM-DD) and
PERSON names a person, in every command; an option renamed to follow that keeps its
old name as an alias that help does not show, so scripts written against it still run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

#: What an option decorator does to a command function.
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
#: The metavar of a date option.
DATE = "YYYY-MM-DD"
#: A date as a click type (parsed to a datetime at midnight; commands take ``.date()``).
DATE_TYPE = click.DateTime(["%Y-%m-%d"])


class Aliased(click.Option):
    """An option whose long names after the first are hidden aliases (help shows the first)."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        """Help for the option under its first long name (and its short ones) only."""
        names, first_long = self.opts, next((o for o in self.opts if o.startswith("--")), None)
        self.opts = [o for o in names if not o.startswith("--") or o == first_long]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = names

    def get_error_hint(self, ctx: click.Context | None) -> str:
        """Errors name the option by its first long name, not by an old alias."""
        first_long = next((o for o in self.opts if o.startswith("--")), self.opts[0])
        return f"'{first_long}'"


def change_rows(diff: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """A change's ``{field: [before, after]}`` as records (``-o csv`` prints one a row)."""
    return [
        {"field": name, "before": before, "after": after} for name, (before, after) in diff.items()
    ]
