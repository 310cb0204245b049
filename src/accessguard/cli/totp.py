"""`totp`: 2FA seeds in Vault custody: enroll, code, status, regenerate, show-qr, confirm."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from accessguard.app import App
from accessguard.cli.context import account_in_vault, pass_app
from accessguard.cli.conventions import no_csv
from accessguard.cli.options import (
    confirm_or_refuse,
    dry_run_option,
    refuse_secret_to_file,
    secret_stream,
    show_secrets_option,
    yes_option,
)
from accessguard.cli.output import emit_json, info, table
from accessguard.cli.qr import show_once
from accessguard.cli.reveals import reveal_options, revealing
from accessguard.cli.stepup import step_up_check, step_up_option

if TYPE_CHECKING:
    from accessguard.results import ActionResult
    from accessguard.secret import Secret


@click.group("totp")
def totp() -> None:
    """2FA seeds held by Vault's TOTP engine; people get codes, never the seed."""


@totp.command("enroll")
@no_csv
@click.argument("account")
@click.option("--generate", is_flag=True, help="Let Vault generate the seed and show its QR once.")
@click.option("--personal-device", is_flag=True, help="The seed is also on someone's own phone.")
@show_secrets_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (QR on stderr).")
@pass_app
def enroll_cmd(
    app: App,
    account: str,
    generate: bool,
    personal_device: bool,
    show_secrets: bool,
    as_json: bool,
) -> None:
    """Put ACCOUNT's seed in custody: otpauth:// URI or base32 seed on stdin, or --generate.

    You saw the seed either way (pasted, or its QR shown once): that is recorded as your
    exposure of it until the seed is re-enrolled (`totp regenerate`, `totp confirm`).
    The QR of a generated seed goes to a terminal only, unless --show-secrets.
    """
    from accessguard.credentials.totp import enroll, parse_seed

    if generate:
        refuse_secret_to_file(
            secret_stream(as_json=as_json), show_secrets=show_secrets, what="the new seed's QR code"
        )
    seed = url = None
    if not generate:
        if sys.stdin.isatty():
            text = click.prompt("otpauth:// URI or base32 seed", hide_input=True)
        else:
            text = sys.stdin.read()
        if not text.strip():
            from accessguard.errors import InputError

            raise InputError(
                "no otpauth:// URI or base32 seed given on stdin",
                hint="pipe it in (`< otpauth.txt`), or let Vault make one with --generate",
            )
        seed, url = parse_seed(text)
    with account_in_vault(app, account) as (conn, client, acct):
        result, uri = enroll(
            conn,
            app.clock,
            vault=client,
            account=acct,
            actor=app.actor,
            seed=seed,
            url=url,
            generate=generate,
            personal_device=personal_device,
        )
    _render(result, uri, as_json=as_json)


def _render(result: ActionResult, uri: Secret | None, *, as_json: bool) -> None:
    """A seed change's result (JSON or a line), then the new seed's QR code, once."""
    if as_json:
        emit_json({**result.to_dict(), "qr_shown": uri is not None})
    else:
        info(f"{result.outcome.value}: {result.message}")
    if uri is not None:
        show_once(uri, err=as_json)


@totp.command("code")
@click.argument("account")
@reveal_options()
@click.option("--pending", is_flag=True, help="A code from the regenerated (pending) seed.")
@click.option("--json", "as_json", is_flag=True, help="Print the code as JSON.")
@step_up_option
@pass_app
def code_cmd(
    app: App,
    account: str,
    reason: str,
    as_email: str | None,
    pending: bool,
    as_json: bool,
    step_up_code: str | None,
) -> None:
    """Print a current code for ACCOUNT from Vault (recorded; step-up if critical)."""
    from accessguard.credentials.totp import code

    with revealing(app, account, step_up_code, why="a TOTP code", as_email=as_email) as seen:
        value = code(
            seen.conn,
            app.clock,
            vault=seen.vault,
            account=seen.account,
            person=seen.person,
            reason=reason,
            actor=app.actor,
            pending=pending,
        )
    if as_json:
        emit_json({"account": seen.account.name, "pending": pending, "code": value.reveal()})
    else:
        click.echo(value.reveal())


@totp.command("regenerate")
@no_csv
@click.argument("account")
@show_secrets_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (QR on stderr).")
@step_up_option
@pass_app
def regenerate_cmd(
    app: App, account: str, show_secrets: bool, as_json: bool, step_up_code: str | None
) -> None:
    """A new seed (pending until `totp confirm`); its QR is shown once, on a terminal; step-up when on."""
    from accessguard.credentials.totp import regenerate
    from accessguard.playbooks.stepup import require

    stream = secret_stream(as_json=as_json)
    refuse_secret_to_file(stream, show_secrets=show_secrets, what="the new seed's QR code")
    require(app, step_up_check(app, step_up_code), why=f"a new 2FA seed for {account}")
    with account_in_vault(app, account) as (conn, client, acct):
        result, uri = regenerate(conn, app.clock, vault=client, account=acct, actor=app.actor)
    _render(result, uri, as_json=as_json)
    if result.instructions and not as_json:
        info(result.instructions)


@totp.command("show-qr")
@click.argument("account")
@show_secrets_option
@step_up_option
@pass_app
def show_qr_cmd(app: App, account: str, show_secrets: bool, step_up_code: str | None) -> None:
    """Show the pending re-enrolment seed's QR once (a run without a terminal could not)."""
    from accessguard.credentials.observers import acting_person
    from accessguard.playbooks.seed_qr import show_run_seed
    from accessguard.playbooks.stepup import require

    refuse_secret_to_file(sys.stdout, show_secrets=show_secrets, what="the seed's QR code")
    require(app, step_up_check(app, step_up_code), why=f"showing the new 2FA seed of {account}")
    with account_in_vault(app, account) as (conn, client, acct):
        person = acting_person(conn, app.actor)
        uri = show_run_seed(
            conn, app.clock, vault=client, account=acct, person=person, actor=app.actor
        )
    show_once(uri)
    info(f"enrol it on {acct.platform}, then confirm the run's re-enrolment item")


@totp.command("confirm")
@no_csv
@click.argument("account")
@dry_run_option
@yes_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@step_up_option
@pass_app
def confirm_cmd(
    app: App, account: str, dry_run: bool, yes: bool, as_json: bool, step_up_code: str | None
) -> None:
    """The platform now uses the regenerated seed: retire the old one; step-up when on.

    The old seed is deleted from Vault: asked first (--yes for scripts). --dry-run
    prints which generation would be retired and which becomes current, and changes nothing.
    """
    from accessguard.credentials.totp import confirm
    from accessguard.playbooks.stepup import require

    if dry_run:
        _confirm_dry_run(app, account, as_json=as_json)
        return
    confirm_or_refuse(
        yes,
        f"Is {account} enrolled with the new seed? Its old seed will be deleted from Vault",
        hint="check a code with `totp code ACCOUNT --pending` against the platform, "
        "then pass --yes",
    )
    require(app, step_up_check(app, step_up_code), why=f"retiring the old 2FA seed of {account}")
    with account_in_vault(app, account) as (conn, client, acct):
        result = confirm(conn, app.clock, vault=client, account=acct, actor=app.actor)
    _render(result, None, as_json=as_json)


def _confirm_dry_run(app: App, account: str, *, as_json: bool) -> None:
    """What `totp confirm` would do, from the database alone: no Vault call, no step-up."""
    from accessguard.credentials.totp import plan_confirm
    from accessguard.inventory.records import get_account_record

    with app.begin() as conn:
        acct = get_account_record(conn, account)
        swap = plan_confirm(conn, acct)
    if as_json:
        nothing = {"account": acct.name, "retired": None, "current": None}
        emit_json({"dry_run": True, **(swap.to_dict() if swap else nothing)})
    elif swap is not None:
        click.echo(swap.describe())
    info(
        f"{acct.name}: nothing to confirm (no pending seed)"
        if swap is None
        else "dry run: nothing written"
    )


@totp.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def status_cmd(app: App, as_json: bool) -> None:
    """Every account: seed in custody, exported, on a personal phone."""
    from accessguard.credentials.status import totp_status

    with app.begin() as conn:
        rows = totp_status(conn)
    if as_json:
        emit_json(rows)
        return
    cols = ["account", "in_custody", "generation", "exported", "personal_device", "enrolled_at"]
    table(cols, [[r[c] for c in cols] for r in rows])
