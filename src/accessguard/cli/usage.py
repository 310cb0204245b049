"""click's own usage errors in the product's style: ``error: ...`` and a ``hint:`` line.

click prints ``Usage: ...``, ``Try '... --help'`` and ``Error: ...``; every other error of
the tool is one ``error:`` line and a hint. This turns click's into the same shape (exit
code 2 unchanged) and suggests the nearest command for a typo, at every group level
(``accessguard peple`` -> ``hint: did you mean "people"?``).
"""

from __future__ import annotations

import difflib
import re
import sys
from typing import NoReturn

import click

from accessguard.cli.conventions import date_pattern
from accessguard.exit_codes import ExitCode

_NO_SUCH_COMMAND = re.compile(r"^No such command '(?P<name>.+)'\.$")


def fail_usage(exc: click.UsageError) -> NoReturn:
    """Print ``exc`` as ``error:`` and ``hint:`` lines on stderr and exit with its code (2).

    A group called without a subcommand is click's way of showing its help
    (``NoArgsIsHelpError``): that is raised again for click to show.
    """
    from accessguard.secret import redact

    if type(exc).__name__ == "NoArgsIsHelpError":
        raise exc
    message, hint = describe(exc)
    click.echo(redact(f"error: {message}"), err=True)
    click.echo(redact(f"hint: {hint}"), err=True)
    sys.exit(int(exc.exit_code or ExitCode.USAGE))


def describe(exc: click.UsageError) -> tuple[str, str]:
    """The one-line message and the hint for one of click's usage errors."""
    ctx = exc.ctx
    see_help = f"see `{ctx.command_path} --help`" if ctx is not None else "see `--help`"
    if isinstance(exc, click.NoSuchOption):
        message = f"no such option: {exc.option_name}"
        if exc.possibilities:
            options = " or ".join(f'"{p}"' for p in sorted(exc.possibilities))
            return message, f"did you mean {options}? ({see_help})"
        return message, see_help
    # One line, whatever click wraps: its choice lists come a tab-indented line each.
    text = _lower_first(" ".join(exc.format_message().split()))
    param = exc.param if isinstance(exc, click.BadParameter) else None
    if isinstance(param, click.Argument) and ctx is not None:
        # An argument with choices is named by them ('{keep|revoke}'): name it DECISION.
        text = text.replace(param.get_error_hint(ctx), repr(param.human_readable_name), 1)
    if param is not None and isinstance(param.type, click.DateTime):
        text = date_pattern(text)
    match = _NO_SUCH_COMMAND.match(exc.message.strip())
    if match and ctx is not None and isinstance(ctx.command, click.Group):
        name = match.group("name")
        suggestion = nearest(name, ctx.command.list_commands(ctx))
        text = f"no such command {name!r}"
        if suggestion is not None:
            return text, f'did you mean "{suggestion}"? ({see_help})'
    return text, see_help


def nearest(word: str, choices: list[str]) -> str | None:
    """The choice ``word`` most likely meant: a close spelling, or the one it begins."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return close[0]
    starting = [c for c in choices if c.startswith(word)] if len(word) >= 2 else []
    return starting[0] if len(starting) == 1 else None


def _lower_first(text: str) -> str:
    """``Missing argument 'X'.`` -> ``missing argument 'X'`` (not ``URL ...`` -> ``uRL``)."""
    text = text.removesuffix(".") if text.count(".") == 1 and text.endswith(".") else text
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text
