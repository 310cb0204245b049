"""`creds import`: shared logins and TOTP seeds from a password manager's export into Vault."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from accessguard.app import App
from accessguard.cli.context import pass_app
from accessguard.cli.options import confirm_or_refuse
from accessguard.cli.output import emit_json, info, table
from accessguard.cli.stepup import step_up_check, step_up_option

if TYPE_CHECKING:
    from accessguard.credentials.importing import ImportPlan
    from accessguard.secret import Secret

SOURCES = ("bitwarden", "1password", "keepass", "csv")


def _master_password() -> Secret:
    """A KeePass database's master password: stdin when piped, else a prompt; never argv."""
    from accessguard.errors import InputError
    from accessguard.secret import Secret

    if sys.stdin.isatty():
        text = click.prompt("KeePass master password", hide_input=True, err=True)
    else:
        text = sys.stdin.readline().rstrip("\r\n")
    if not text:
        raise InputError("no KeePass master password given on stdin")
    return Secret(text)


def _show(plan: ImportPlan, as_json: bool, *, imported: bool) -> None:
    if as_json:
        emit_json({**plan.to_dict(), "imported": imported})
        return
    rows = [[i.entry.name, i.account.name, ", ".join(i.fields)] for i in plan.items]
    table(["entry", "account", "fields"], rows, title="Matched (entry -> account)")
    if plan.unmatched:
        names = ", ".join(e.name or f"({e.where})" for e in plan.unmatched)
        info(f"unmatched, left alone ({len(plan.unmatched)}): {names}")


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--from", "source", type=click.Choice(SOURCES), required=True, help="The export's format."
)
@click.option(
    "--map",
    "map_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV entry,account: which account each named entry is for.",
)
@click.option(
    "--dry-run", is_flag=True, help="Show what would be stored (names only), store nothing."
)
@click.option("--yes", "-y", is_flag=True, help="Import without asking (for scripts).")
@click.option("--reason", help="Why (recorded; default: imported from the FORMAT export).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@step_up_option
@pass_app
def import_cmd(
    app: App,
    file: Path,
    source: str,
    map_file: Path | None,
    dry_run: bool,
    yes: bool,
    reason: str | None,
    as_json: bool,
    step_up_code: str | None,
) -> None:
    """Store the logins (username, password, TOTP seed) of FILE, a password manager's export
    (mode 0600, yours), for the inventory's accounts they match: all or nothing."""
    from accessguard.credentials.importing import (
        Source,
        apply_import,
        plan_import,
        read_entries,
        read_map,
    )
    from accessguard.playbooks.stepup import require
    from accessguard.vault.facade import open_vault

    mapping = read_map(map_file) if map_file else None
    entries = read_entries(file, Source(source), master_password=_master_password)
    vault = open_vault(app)
    with app.begin() as conn:
        plan = plan_import(conn, vault=vault, entries=entries, mapping=mapping)
    if dry_run or not plan.items:
        _show(plan, as_json, imported=False)
        return
    if not yes and sys.stdin.isatty():
        _show(plan, False, imported=False)
    question = f"Store {len(plan.items)} login(s) in Vault?"
    confirm_or_refuse(yes, question, hint="check the plan with --dry-run, then pass --yes")
    require(app, step_up_check(app, step_up_code), why=f"importing {len(plan.items)} login(s)")
    with app.begin() as conn:
        plan = plan_import(conn, vault=vault, entries=entries, mapping=mapping)
        apply_import(
            conn,
            app.clock,
            vault=vault,
            plan=plan,
            actor=app.actor,
            reason=reason or f"imported from the {source} export",
        )
    _show(plan, as_json, imported=True)
    if not as_json:
        info(f"imported {len(plan.items)} login(s) into Vault")
