"""One output convention for every command that prints data.

A command that prints data declares ``--json`` (its ``as_json`` parameter). When the
root group loads it, ``apply`` gives it ``-o/--output table|json|csv|ndjson``, ``--quiet``,
``--no-headers``, ``--field NAME`` and ``--color``, and wraps its callback so ``cli/output.py`` renders in
the chosen way. ``--json`` stays an alias of ``-o json``. Every other command takes
``--quiet``. The same options on the root group (``accessguard -o json people list``)
are defaults for the command.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from accessguard.cli.output import NO_CSV, Color, Format, OutputSettings, using
from accessguard.errors import UsageError

#: Where the root group keeps its output options (``ctx.meta``).
ROOT_OUTPUT = "accessguard.output"
_APPLIED = "_accessguard_output_convention"
#: The parameter of a command that renders its own formats (``report access --format``).
OWN_FORMAT = "fmt"
OUTPUT_OPTIONS = ("output_format", "quiet", "no_headers", "output_field", "color")


def output_options(own: tuple[str, ...] = ()) -> list[click.Option]:
    """The output options, fresh objects for one command (``own``: its own extra formats)."""
    formats = [f.value for f in Format] + [f for f in own if f not in set(Format)]
    return [
        click.Option(
            ["-o", "--output", "output_format"],
            type=click.Choice(formats),
            help="Output format (default: table; --json is -o json).",
        ),
        click.Option(
            ["-q", "--quiet"],
            is_flag=True,
            help="Only the data: no notes or titles (errors still go to stderr).",
        ),
        click.Option(["--no-headers"], is_flag=True, help="No header row (table, csv)."),
        click.Option(
            ["--field", "output_field"],
            metavar="NAME",
            help="Print only this field (a.b reaches inside), one value a line.",
        ),
        click.Option(
            ["--color"],
            type=click.Choice([c.value for c in Color]),
            help="Colour tables: auto (a terminal without NO_COLOR), always, never.",
        ),
    ]


_NO_CSV = "_accessguard_no_csv"
F = TypeVar("F", bound=Callable[..., Any])


def no_csv(func: F) -> F:
    """Mark a command that changes something and prints nested data: ``-o csv`` is refused
    before it runs, not after the change (put it right under the ``command`` decorator)."""
    setattr(func, _NO_CSV, True)
    return func


def prints_data(command: click.Command) -> bool:
    """Whether ``command`` prints data (it has ``--json``)."""
    return any(p.name == "as_json" for p in command.params)


def apply(command: click.Command) -> click.Command:
    """Give ``command`` and every data-printing subcommand the output options (once)."""
    if getattr(command, _APPLIED, False):
        return command
    setattr(command, _APPLIED, True)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            apply(sub)
    elif command.callback is not None:
        _date_metavars(command)
        taken = {opt for p in command.params for opt in p.opts}
        # A command that only reports (no --json) still takes --quiet: nothing but errors.
        offered = [
            o
            for o in output_options(_own_choices(command))
            if prints_data(command) or o.name == "quiet"
        ]
        command.params.extend(o for o in offered if not taken & set(o.opts))
        command.callback = _wrapped(command.callback)
    return command


def _own_choices(command: click.Command) -> tuple[str, ...]:
    """The formats a command renders itself (``report access``: md, html), for ``-o``."""
    own = next((p for p in command.params if p.name == OWN_FORMAT), None)
    if own is None or not isinstance(own.type, click.Choice):
        return ()
    return tuple(str(c) for c in own.type.choices)


_DATE_PARTS = {"%Y": "YYYY", "%m": "MM", "%d": "DD", "%H": "HH", "%M": "MM", "%S": "SS"}


def date_pattern(text: str) -> str:
    """``%Y-%m-%d`` -> ``YYYY-MM-DD``: a date format as people read it."""
    for code, part in _DATE_PARTS.items():
        text = text.replace(code, part)
    return text


def _date_metavars(command: click.Command) -> None:
    """Show dates as ``YYYY-MM-DD`` in help, not click's ``[%Y-%m-%d]``."""
    for param in command.params:
        if isinstance(param.type, click.DateTime) and param.metavar is None:
            param.metavar = "|".join(date_pattern(fmt) for fmt in param.type.formats)


def _wrapped(callback: Any) -> Any:
    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        given = {name: kwargs.pop(name, None) for name in OUTPUT_OPTIONS}
        rendered_by_command = given["output_format"] not in (None, *set(Format))
        if rendered_by_command:  # -o html: a format only the command itself renders
            kwargs[OWN_FORMAT] = _agreeing(kwargs[OWN_FORMAT], given["output_format"])
            given["output_format"] = None
        chosen = resolve(given, as_json=bool(kwargs.get("as_json")))
        if chosen.format is Format.CSV and getattr(callback, _NO_CSV, False):
            raise UsageError(NO_CSV, hint="nothing was done; use -o json")
        if OWN_FORMAT in kwargs and not rendered_by_command:
            kwargs[OWN_FORMAT] = _own_format(kwargs[OWN_FORMAT], chosen)
        elif "as_json" in kwargs:
            kwargs["as_json"] = chosen.format is not Format.TABLE or chosen.field is not None
        with using(chosen):
            return callback(*args, **kwargs)

    return run


def _own_format(own: str, chosen: OutputSettings) -> str:
    """The format of a command that renders itself (``report access --format``), from ``-o``.

    ``-o`` names one of the command's own formats; given both, they must agree.
    """
    if chosen.field is not None:
        raise UsageError("--field does not apply to this command", hint="use -o json")
    if chosen.format is Format.TABLE:
        return own
    ctx = click.get_current_context()
    own_type = next(p.type for p in ctx.command.params if p.name == OWN_FORMAT)
    choices = [str(c) for c in own_type.choices] if isinstance(own_type, click.Choice) else []
    if chosen.format.value not in choices:
        raise UsageError(
            f"this command has no {chosen.format.value} form",
            hint=f"use -o with one of: {', '.join(choices)}",
        )
    return _agreeing(own, chosen.format.value)


def _agreeing(own: str, output: str) -> str:
    """``-o`` wins over the default ``--format``; given both, they must agree."""
    ctx = click.get_current_context()
    explicit = ctx.get_parameter_source(OWN_FORMAT) is not click.core.ParameterSource.DEFAULT
    if explicit and own != output:
        raise UsageError(
            f"--format {own} and -o {output} disagree",
            hint="give one of them: -o is the same as --format",
        )
    return output


def resolve(given: dict[str, Any], *, as_json: bool) -> OutputSettings:
    """The output settings from a command's options, over the root group's, over defaults."""
    ctx = click.get_current_context(silent=True)
    root: dict[str, Any] = ctx.find_root().meta.get(ROOT_OUTPUT, {}) if ctx else {}
    name = given.get("output_format")
    if as_json and name not in (None, Format.JSON.value):
        raise UsageError(f"--json and -o {name} disagree", hint="--json is the same as -o json")
    color = given.get("color") or root.get("color") or Color.AUTO.value
    # The command's own --json beats a format given to the root group.
    name = name or (Format.JSON.value if as_json else root.get("output_format"))
    return OutputSettings(
        format=Format(name) if name else Format.TABLE,
        quiet=bool(given.get("quiet") or root.get("quiet")),
        headers=not (given.get("no_headers") or root.get("no_headers")),
        color=Color(color),
        field=given.get("output_field"),
    )
