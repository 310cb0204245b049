"""Shell completion: ``accessguard completion bash|zsh|fish`` and the names it completes.

click's shell completion runs the program with ``_ACCESSGUARD_COMPLETE`` set; the script
this prints sets it. Beyond commands and options, the inventory's own names complete:
accounts, people (emails), run ids, step ids of the run named before, and playbooks.
``complete_names`` gives them to a command's parameters by name, once, when the root
group loads it (``cli/main.py`` ``_load``), so new commands get them by naming their
parameters as the others do.

Completion only reads: an SQLite file is opened read-only and a missing one is never
created; and it never prints an error (a shell would show it mid-line), it completes
nothing instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem, get_completion_class

from accessguard.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy import Connection

SHELLS = ("bash", "zsh", "fish")
#: The environment variable click's completion scripts set (``_{PROG}_COMPLETE``).
COMPLETE_VAR = "_ACCESSGUARD_COMPLETE"
#: At most this many names are offered at a time.
LIMIT = 200

Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion_cmd(shell: str) -> None:
    """Print the completion script for SHELL; load it from your shell's start-up file.

    \b
    bash:  eval "$(accessguard completion bash)"        (in ~/.bashrc)
    zsh:   eval "$(accessguard completion zsh)"         (in ~/.zshrc)
    fish:  accessguard completion fish > ~/.config/fish/completions/accessguard.fish
    """
    root = click.get_current_context().find_root()
    script = get_completion_class(shell)
    if script is None:  # every name in SHELLS is one click ships
        raise UsageError(f"no completion for {shell}", hint=f"use one of: {', '.join(SHELLS)}")
    click.echo(script(root.command, {}, "accessguard", COMPLETE_VAR).source())


def _names(query: Callable[[Connection, str], list[tuple[str, str]]]) -> Completer:
    """A completer reading ``(value, help)`` pairs that start with what was typed."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        try:
            with _reader(ctx) as conn:
                return [CompletionItem(value, help=help) for value, help in query(conn, incomplete)]
        except Exception:  # completion never shows an error: it offers nothing
            return []

    return complete


@contextmanager
def _reader(ctx: click.Context) -> Iterator[Connection]:
    """A read-only connection to the database the command line names (--config, --db)."""
    from accessguard.config import load_settings
    from accessguard.db.engine import database_password, read_only_engine

    root = ctx.find_root().params
    settings = load_settings(
        root.get("config_path"), overrides={"database.url": root.get("database_url")}
    )
    url = settings.database_url
    password = None if url.startswith("sqlite") else database_password()
    engine = read_only_engine(url, password=password)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _like(column: Any, incomplete: str) -> Any:
    """``column`` begins with ``incomplete``, ignoring case (``LIKE`` wildcards escaped)."""
    from sqlalchemy import func

    return func.lower(column).startswith(incomplete.lower(), autoescape=True)


def _accounts(conn: Connection, incomplete: str) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from accessguard.db.tables import accounts

    query = select(accounts.c.name, accounts.c.platform).where(_like(accounts.c.name, incomplete))
    return [(n, p) for n, p in conn.execute(query.order_by(accounts.c.name).limit(LIMIT))]


def _people(conn: Connection, incomplete: str) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from accessguard.db.tables import people

    query = select(people.c.email, people.c.name).where(_like(people.c.email, incomplete))
    return [(e, n) for e, n in conn.execute(query.order_by(people.c.email).limit(LIMIT))]


def _runs(conn: Connection, incomplete: str) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from accessguard.db.tables import runs

    query = (
        select(runs.c.id, runs.c.subject, runs.c.status)
        .where(_like(runs.c.id, incomplete))
        .order_by(runs.c.created_at.desc())
        .limit(LIMIT)
    )
    return [(i, f"{s} ({st})") for i, s, st in conn.execute(query)]


def _steps(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """The step ids of the run named before (``runs confirm RUN STEP``)."""
    run_id = ctx.params.get("run_id")
    if not run_id:
        return []

    def steps(conn: Connection, typed: str) -> list[tuple[str, str]]:
        from sqlalchemy import select

        from accessguard.db.tables import run_steps

        query = (
            select(run_steps.c.step_id, run_steps.c.status)
            .where(run_steps.c.run_id == run_id, _like(run_steps.c.step_id, typed))
            .order_by(run_steps.c.position)
        )
        return [(s, st) for s, st in conn.execute(query)]

    return _names(steps)(ctx, param, incomplete)


def _playbooks(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Playbook names in the search directories (shipped and ``[offboarding] playbook_dirs``)."""
    try:
        from accessguard.config import load_settings
        from accessguard.playbooks.loader import discover

        settings = load_settings(ctx.find_root().params.get("config_path"))
        names = sorted({e.name for e in discover(settings) if e.name.startswith(incomplete)})
    except Exception:  # completion never shows an error
        return []
    return [CompletionItem(name) for name in names]


_ACCOUNT = _names(_accounts)
_PERSON = _names(_people)
_RUN = _names(_runs)

#: Parameter name -> what completes it, for every command.
BY_PARAMETER: dict[str, Completer] = {
    "account": _ACCOUNT,
    "account_ref": _ACCOUNT,
    "target": _ACCOUNT,
    "person": _PERSON,
    "successor": _PERSON,
    "manager": _PERSON,
    "owner": _PERSON,
    "reviewer": _PERSON,
    "run_id": _RUN,
    "step_id": _steps,
    "playbook": _playbooks,
    "playbook_ref": _playbooks,
}
#: (command, parameter) pairs whose names say less than their meaning.
BY_COMMAND: dict[tuple[str, str], Completer] = {("show", "name"): _playbooks}
#: Commands whose ``email`` names a new person: nothing to complete there.
_NEW_PERSON = frozenset({"add"})
_DONE = "_accessguard_names_completed"


def complete_names(command: click.Command, *, parent: str = "") -> click.Command:
    """Give ``command``'s (and its subcommands') parameters the inventory's names (once)."""
    if getattr(command, _DONE, False):
        return command
    setattr(command, _DONE, True)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            complete_names(sub, parent=command.name or "")
        return command
    for param in command.params:
        name = param.name or ""
        completer = BY_PARAMETER.get(name)
        if parent == "playbooks":
            completer = BY_COMMAND.get((command.name or "", name), completer)
        if name == "email" and command.name not in _NEW_PERSON:
            completer = _PERSON
        if completer is not None and param._custom_shell_complete is None:
            param._custom_shell_complete = completer
    return command
