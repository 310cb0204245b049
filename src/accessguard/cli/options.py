"""Options shared by the commands that change things: one name, one behaviour each.

``--reason`` is the why of a change everywhere (``--note`` is kept as a hidden alias);
``--yes`` skips the confirmation a destructive command asks for, and without a
terminal a command refuses rather than act unasked; ``--show-secrets`` lets a one-time
secret (a 2FA QR code) go to a stream that is not a terminal.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from accessguard.cli.option_names import Aliased
from accessguard.errors import UsageError

if TYPE_CHECKING:
    from accessguard.playbooks.plan import Plan

F = TypeVar("F", bound=Callable[..., Any])


def reason_option(
    *,
    help: str = "Why (kept in the audit trail).",
    required: bool = False,
    default: str | None = None,
) -> Callable[[F], F]:
    """``--reason TEXT`` (old name ``--note``, hidden), the recorded why of a change."""
    # Click tells "no default" from a default of None: pass one only when there is one.
    defaults: dict[str, Any] = {} if default is None else {"default": default, "show_default": True}
    return click.option(
        "--reason",
        "--note",
        "reason",
        cls=Aliased,
        metavar="TEXT",
        required=required,
        help=help,
        **defaults,
    )


def yes_option(func: F) -> F:
    """``--yes`` / ``-y``: do not ask for confirmation (for scripts, after a --dry-run)."""
    return click.option(
        "--yes", "-y", is_flag=True, help="Do not ask for confirmation (for scripts)."
    )(func)


def confirm_or_refuse(yes: bool, question: str, *, hint: str) -> None:
    """Ask ``question`` on the terminal unless ``yes``; with no terminal, refuse (nothing changed)."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageError(
            "refusing to go ahead without confirmation: there is no terminal to ask on",
            hint=hint,
            code="confirmation-required",
        )
    click.confirm(question, abort=True, err=True)


def show_secrets_option(func: F) -> F:
    """``--show-secrets``: show a one-time 2FA QR code even where the output is not a terminal."""
    return click.option(
        "--show-secrets",
        is_flag=True,
        help="Show the QR code (the seed) even when the output is not a terminal "
        "(a file or a pipe keeps it).",
    )(func)


def secret_stream(*, as_json: bool) -> IO[str]:
    """Where a one-time QR code goes: stdout, or stderr when stdout carries JSON."""
    return sys.stderr if as_json else sys.stdout


def _discarded(stream: IO[str]) -> bool:
    """Whether ``stream`` is the null device (``> /dev/null`` keeps nothing)."""
    import os

    try:
        here, null = os.fstat(stream.fileno()), os.stat(os.devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        return False
    return (here.st_dev, here.st_ino) == (null.st_dev, null.st_ino)


def refuse_secret_to_file(stream: IO[str], *, show_secrets: bool, what: str) -> None:
    """Refuse, before anything changes, to write a one-time secret to a non-terminal unasked."""
    if show_secrets or stream.isatty() or _discarded(stream):
        return
    name = "stderr" if stream is sys.stderr else "stdout"
    raise UsageError(
        f"refusing to write {what} to a file or pipe: {name} is not a terminal",
        hint="run it in a terminal, or pass --show-secrets if the file is meant to hold the seed",
        code="secret-not-terminal",
    )


def dry_run_option(func: F) -> F:
    """``--dry-run``: print the plan the engine would run, and change nothing."""
    return click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")(func)


def plan_gate(plan: Plan, *, dry_run: bool, yes: bool, as_json: bool, question: str) -> bool:
    """Print the plan for ``--dry-run`` (then False: stop), or confirm it (True: run it).

    The confirmation shows the plan on stderr first; ``--yes`` skips it, and with no
    terminal and no ``--yes`` the command refuses before anything changes.
    """
    from accessguard.cli.output import emit_json, info
    from accessguard.playbooks.builtin import describe

    if dry_run:
        if as_json:
            emit_json({"dry_run": True, "plan": plan.to_dict()})
        else:
            click.echo("\n".join(describe(plan)))
        return False
    hint = "check the plan with --dry-run, then pass --yes"
    if not yes and sys.stdin.isatty():
        for line in describe(plan):
            info(line)
    confirm_or_refuse(yes, question, hint=hint)
    return True
