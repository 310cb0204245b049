"""The man-page-style command reference, ``docs/reference.md``, generated from the help.

Every command's ``--help`` text, in command order, under one heading each. Regenerate
it after changing a command (a test fails while it is out of date)::

    python -m accessguard.cli.reference docs/reference.md

Without a path it prints the reference to stdout.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

#: Help is wrapped at this width whatever the terminal, so the file is the same everywhere.
WIDTH = 100
REGENERATE = "python -m accessguard.cli.reference docs/reference.md"

_HEADER = f"""\
# accessguard command reference

Every command's `--help`, generated from the commands themselves: do not edit by hand.
After changing a command, regenerate it with `{REGENERATE}`
(a test fails while this file is out of date). The README's tour and
[first 10 minutes](../README.md#first-10-minutes) show the commands in use; exit codes:
0 ok, 1 error, 2 usage, 3 changes pending, 4 partial failure, 5 waiting for a manual step.
"""


def commands(
    command: click.Command, ctx: click.Context
) -> Iterator[tuple[click.Command, click.Context]]:
    """``command`` and every subcommand under it, depth first, each with its own context."""
    yield command, ctx
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            yield from commands(sub, click.Context(sub, info_name=name, parent=ctx))


def render() -> str:
    """The whole reference as Markdown."""
    from accessguard.cli.main import cli

    settings = {**cli.context_settings, "terminal_width": WIDTH, "max_content_width": WIDTH}
    root = click.Context(cli, info_name="accessguard", **settings)
    found = list(commands(cli, root))
    contents = [f"- [{c.command_path}](#{_anchor(c.command_path)})" for _, c in found]
    sections = [
        f"## {ctx.command_path}\n\n```text\n{command.get_help(ctx).rstrip()}\n```\n"
        for command, ctx in found
    ]
    return "\n".join([_HEADER, "## Contents\n", *contents, "", *sections])


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading made of command words."""
    return heading.lower().replace(" ", "-")


def main(argv: list[str] | None = None) -> None:
    """Write the reference to the path given, or print it."""
    args = sys.argv[1:] if argv is None else argv
    text = render()
    if args:
        Path(args[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
