"""`playbooks`: list, show and validate offboarding playbooks."""

from __future__ import annotations

from pathlib import Path

import click

from accessguard.app import App
from accessguard.cli.context import pass_app
from accessguard.cli.output import emit_json, info, table


@click.group("playbooks")
def playbooks() -> None:
    """Offboarding playbooks: the shipped ones and your own ([offboarding] playbook_dirs)."""


@playbooks.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def list_cmd(app: App, as_json: bool) -> None:
    """List the playbooks found, in search order (a shadowed one is overridden by an earlier one)."""
    from accessguard.errors import PlaybookValidationError
    from accessguard.playbooks.loader import discover, load_file

    rows = []
    for entry in discover(app.settings):
        try:
            book = load_file(entry.path)
            row = {"name": book.name, "description": book.description, "steps": len(book.steps)}
            row["error"] = None
        except PlaybookValidationError as exc:
            row = {"name": entry.name, "description": None, "steps": None, "error": exc.message}
        rows.append({**row, "path": str(entry.path), "shadowed": entry.shadowed})
    if as_json:
        emit_json(rows)
        return
    table(
        ["name", "steps", "path", "note"],
        [
            [r["name"], r["steps"], r["path"], "shadowed" if r["shadowed"] else r["error"]]
            for r in rows
        ],
    )


@playbooks.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def show_cmd(app: App, name: str, as_json: bool) -> None:
    """Show a playbook's steps (NAME or a file path)."""
    from accessguard.playbooks.loader import resolve

    book = resolve(app.settings, name)
    if as_json:
        emit_json(book.to_dict())
        return
    click.echo(f"{book.name}: {book.description}")
    click.echo(f"file: {book.path}")
    for number, step in enumerate(book.steps, 1):
        over = f" for each {step.for_each.source}" if step.for_each else ""
        flags = [f"on failure {step.on_failure}"]
        if step.destructive:
            flags.append("destructive")
        if step.when:
            flags.append(f"when {step.when}")
        click.echo(f"{number:>2}. {step.id}: {step.action}{over} ({', '.join(flags)})")
        if step.description:
            click.echo(f"      {step.description}")


@playbooks.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def validate_cmd(files: tuple[Path, ...], as_json: bool) -> None:
    """Check playbook files against the schema; errors name file, line and key."""
    from accessguard.errors import AccessGuardError
    from accessguard.exit_codes import ExitCode
    from accessguard.playbooks.loader import load_file

    results = []
    for path in files:
        try:
            book = load_file(path)
            results.append({"file": str(path), "ok": True, "name": book.name, "error": None})
        except AccessGuardError as exc:
            results.append({"file": str(path), "ok": False, "name": None, "error": exc.message})
    if as_json:
        emit_json(results)
    else:
        for r in results:
            info(f"{r['file']}: ok ({r['name']})" if r["ok"] else f"error: {r['error']}")
    if not all(r["ok"] for r in results):
        raise SystemExit(int(ExitCode.USAGE))
