"""`creds reveal`: print a shared login's password or a field, the exposure recorded."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from accessguard.app import App
from accessguard.cli.context import pass_app
from accessguard.cli.conventions import no_csv
from accessguard.cli.output import emit_json, info
from accessguard.cli.reveals import reveal_options, revealing
from accessguard.cli.stepup import step_up_option

if TYPE_CHECKING:
    from accessguard.credentials.store import Revealed

#: The fields of a stored login (``credentials.fields.LOGINFIELD_CHOICES``, kept here for --help).
FIELD_CHOICES = ("username", "password", "backup_codes", "recovery")


@click.command("reveal")
@no_csv
@click.argument("account")
@reveal_options()
@click.option("--version", type=int, help="A specific version (default: current).")
@click.option(
    "--pending",
    is_flag=True,
    help="The new password of a pending rotation (default: the version the platform accepts).",
)
@click.option("--all", "show_all", is_flag=True, help="Print every field as JSON.")
@click.option(
    "--field", type=click.Choice(FIELD_CHOICES), help="Print this field instead of the password."
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the version and the field(s) shown as JSON."
)
@step_up_option
@pass_app
def reveal_cmd(
    app: App,
    account: str,
    reason: str,
    as_email: str | None,
    version: int | None,
    pending: bool,
    show_all: bool,
    field: str | None,
    as_json: bool,
    step_up_code: str | None,
) -> None:
    """Print ACCOUNT's password or --field (the exposure of each field shown is recorded and
    audited; step-up if critical)."""
    import json

    from accessguard.credentials.store import reveal

    with revealing(
        app, account, step_up_code, why="revealing the login", as_email=as_email
    ) as seen:
        revealed = reveal(
            seen.conn,
            app.clock,
            vault=seen.vault,
            account=seen.account,
            person=seen.person,
            reason=reason,
            actor=app.actor,
            version=version,
            pending=pending,
            fields=None if show_all else (field or "password",),
        )
    info(
        f"{revealed.account} version {revealed.version}{_label(revealed)}: shown to {seen.person.email} (recorded)"
    )
    if as_json:  # an explicit reveal like the others: the same guards ran, the exposure is kept
        emit_json(
            {
                "account": revealed.account,
                "version": revealed.version,
                "state": revealed.state,
                "pending_version": revealed.pending_version,
                "shown_to": seen.person.email,
                "values": {k: v.reveal() for k, v in revealed.values.items()},
            }
        )
    elif show_all:
        click.echo(json.dumps({k: v.reveal() for k, v in revealed.values.items()}, indent=2))
    else:
        click.echo(revealed.values[field or "password"].reveal())


def _label(revealed: Revealed) -> str:
    """Which version was revealed: the one the platform accepts, or a pending rotation's."""
    if revealed.state == "pending":
        return " (PENDING rotation: not set on the platform yet)"
    if revealed.state == "current" and revealed.pending_version is not None:
        return (
            f" (current: the platform accepts it; version {revealed.pending_version} is pending, "
            "--pending shows it)"
        )
    return f" ({revealed.state})"
