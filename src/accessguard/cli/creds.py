"""`creds`: shared logins in Vault: set, reveal, adopt, rotate, confirm, rollback, status, exposed."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from accessguard.app import App
from accessguard.cli.context import account_in_vault, pass_app, run_hooks
from accessguard.cli.conventions import no_csv
from accessguard.cli.creds_reveal import FIELD_CHOICES, reveal_cmd
from accessguard.cli.option_names import Decorator
from accessguard.cli.options import (
    confirm_or_refuse,
    dry_run_option,
    plan_gate,
    reason_option,
    yes_option,
)
from accessguard.cli.output import emit_json, info, table
from accessguard.cli.stepup import step_up_check, step_up_option
from accessguard.cli.updates import stacked

if TYPE_CHECKING:
    from accessguard.credentials.store import LoginValues
    from accessguard.playbooks.plan import Plan
    from accessguard.results import ActionResult


@click.group("creds")
def creds() -> None:
    """Shared logins whose values live only in Vault."""


def _read_login() -> LoginValues:
    from accessguard.credentials.store import LoginValues, parse_login
    from accessguard.secret import Secret

    if not sys.stdin.isatty():
        return parse_login(sys.stdin.read())
    username = click.prompt("Username")
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    values = {"username": Secret(username), "password": Secret(password)}
    return LoginValues(values)


def _run_result(result: dict[str, Any], as_json: bool) -> None:
    """A one-item run's result (``builtin.only_result``): JSON, or its outcome and message."""
    if as_json:
        emit_json(result)
    else:
        info(f"{result['outcome']}: {result['message']} (run {result['run']})")


def _planned_change_options() -> Decorator:
    """The options of `creds adopt` and `creds rollback`: a plan shown, confirmed, then run."""
    return stacked(
        no_csv,
        click.argument("account"),
        reason_option(),
        dry_run_option,
        yes_option,
        click.option("--json", "as_json", is_flag=True, help="Print JSON."),
        step_up_option,
    )


def _run_one(app: App, plan: Plan, step_up_code: str | None) -> dict[str, Any]:
    """Run a one-item built-in plan through the engine, with the operator's step-up; its result."""
    from accessguard.playbooks.builtin import only_result, run_builtin

    step_up = step_up_check(app, step_up_code)
    return only_result(app, run_builtin(app, plan, step_up=step_up, hooks=run_hooks()))


def _result(result: ActionResult, as_json: bool) -> None:
    if as_json:
        emit_json(result.to_dict())
    else:
        info(f"{result.outcome.value}: {result.message}")


def _read_field(field: str) -> LoginValues:
    """One field's new value from stdin (all of it: backup codes one per line) or a prompt."""
    from accessguard.credentials.store import LoginValues
    from accessguard.errors import InputError
    from accessguard.secret import Secret

    if sys.stdin.isatty():
        text = click.prompt(field, hide_input=True, confirmation_prompt=True)
    else:
        text = sys.stdin.read()
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        raise InputError(f"no value for {field} given on stdin")
    return LoginValues({field: Secret("\n".join(lines))})


@creds.command("set")
@no_csv
@click.argument("account")
@reason_option()
@click.option(
    "--field",
    type=click.Choice(FIELD_CHOICES),
    help="Replace only this field (value on stdin); the other fields are kept.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (no values).")
@step_up_option
@pass_app
def set_cmd(
    app: App,
    account: str,
    reason: str | None,
    field: str | None,
    as_json: bool,
    step_up_code: str | None,
) -> None:
    """Store ACCOUNT's login: JSON or lines on stdin, or prompts (never arguments); step-up when on."""
    from accessguard.credentials.observers import operator
    from accessguard.credentials.store import set_credential
    from accessguard.playbooks.stepup import require

    # The values first: a bad or empty stdin must not spend the one-use step-up code.
    values = _read_field(field) if field else _read_login()
    require(app, step_up_check(app, step_up_code), why=f"storing the login of {account}")
    with account_in_vault(app, account) as (conn, client, acct):
        result = set_credential(
            conn,
            app.clock,
            vault=client,
            account=acct,
            values=values,
            actor=app.actor,
            operator=operator(conn, app.actor),
            reason=reason,
            merge=field is not None,
        )
    _result(result, as_json)


@creds.command("adopt")
@_planned_change_options()
@pass_app
def adopt_cmd(
    app: App,
    account: str,
    reason: str | None,
    dry_run: bool,
    yes: bool,
    as_json: bool,
    step_up_code: str | None,
) -> None:
    """Accept ACCOUNT's Vault version written outside accessguard, after showing what changed."""
    from accessguard.credentials.adopt import preview
    from accessguard.playbooks.builtin import adopt_plan

    with account_in_vault(app, account) as (conn, client, acct):
        shown = preview(conn, vault=client, account=acct)
    for line in shown.lines():
        info(line)
    with app.begin() as conn:
        plan = adopt_plan(conn, account, version=shown.version, reason=reason)
    if dry_run:
        plan_gate(plan, dry_run=True, yes=yes, as_json=as_json, question="")
        return
    confirm_or_refuse(
        yes,
        f"Adopt version {shown.version} as {account}'s login?",
        hint="review the change above, then pass --yes",
    )
    result = _run_one(app, plan, step_up_code)
    _run_result({**result, "adopted": shown.to_dict()} if as_json else result, as_json)


@creds.command("rotate")
@no_csv
@click.argument("account")
@reason_option(default="scheduled rotation")
@click.option("--idempotency-key", metavar="KEY", help="Repeat an interrupted rotation safely.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@step_up_option
@pass_app
def rotate_cmd(
    app: App,
    account: str,
    reason: str,
    idempotency_key: str | None,
    as_json: bool,
    step_up_code: str | None,
) -> None:
    """Phase 1: a new strong password as a pending Vault version (the old one is kept)."""
    from accessguard.playbooks.builtin import rotation_plan

    with app.begin() as conn:
        plan = rotation_plan(conn, account, reason=reason, idempotency_key=idempotency_key)
    result = _run_one(app, plan, step_up_code)
    _run_result(result, as_json)
    if not as_json:
        info(
            f"next: set it on the platform (`creds reveal {account} --pending`), "
            f"then `creds confirm {account}`"
        )


@creds.command("confirm")
@no_csv
@click.argument("account")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@step_up_option
@pass_app
def confirm_cmd(app: App, account: str, as_json: bool, step_up_code: str | None) -> None:
    """Phase 2: the platform has the new password; mark it active (step-up when on).

    On Bluesky its app passwords are then revoked with the new password (a run).
    """
    from accessguard.credentials.rotation_outcome import confirm
    from accessguard.playbooks.app_passwords import app_passwords_plan
    from accessguard.playbooks.builtin import only_result, run_builtin
    from accessguard.playbooks.stepup import require

    # The twin of `runs confirm` of a rotation item: the same guard, asked the same way.
    check = step_up_check(app, step_up_code)
    require(app, check, why=f"confirming the rotation of {account}")

    with account_in_vault(app, account) as (conn, client, acct):
        result = confirm(conn, app.clock, vault=client, account=acct, actor=app.actor)
        plan = app_passwords_plan(conn, acct.name)
    if plan is None:
        _result(result, as_json)
        return
    if not as_json:
        _result(result, False)
    revoked = only_result(app, run_builtin(app, plan, step_up=check, hooks=run_hooks()))
    if as_json:
        emit_json({**result.to_dict(), "app_passwords": revoked})
    else:
        _run_result(revoked, False)
        if revoked.get("instructions"):
            info(str(revoked["instructions"]))


@creds.command("rollback")
@_planned_change_options()
@pass_app
def rollback_cmd(
    app: App,
    account: str,
    reason: str | None,
    dry_run: bool,
    yes: bool,
    as_json: bool,
    step_up_code: str | None,
) -> None:
    """Undo a pending rotation: the previous value comes back as a new version."""
    from accessguard.playbooks.builtin import rollback_plan

    with app.begin() as conn:
        plan = rollback_plan(conn, account, reason=reason)
    question = f"Roll back {account}'s pending rotation?"
    if not plan_gate(plan, dry_run=dry_run, yes=yes, as_json=as_json, question=question):
        return
    result = _run_one(app, plan, step_up_code)
    _run_result(result, as_json)


@creds.command("status")
@click.argument("account", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def status_cmd(app: App, account: str | None, as_json: bool) -> None:
    """Versions, state and last rotation of stored logins (no values)."""
    from accessguard.credentials.status import credential_status
    from accessguard.inventory.records import get_account_record

    with app.begin() as conn:
        rows = credential_status(conn, get_account_record(conn, account) if account else None)
    if as_json:
        emit_json(rows)
        return
    cols = ["account", "state", "current_version", "previous_version", "rotated_at", "rotated_by"]
    table(cols, [[r[c] for c in cols] for r in rows])


@creds.command("exposed")
@click.argument("person")
@click.option("--observed-only", is_flag=True, help="Only what the person actually saw.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def exposed_cmd(app: App, person: str, observed_only: bool, as_json: bool) -> None:
    """What PERSON could know (possible) and what they saw (observed), field by field."""
    from accessguard.credentials.exposure import (
        exported_seed_accounts,
        exposed_credentials,
        exposed_fields,
    )
    from accessguard.inventory.records import get_person_record

    with app.begin() as conn:
        who = get_person_record(conn, person)
        exposed = exposed_credentials(conn, who.id, observed_only=observed_only)
        fields = exposed_fields(conn, who.id)
        seeds = [a.name for a in exported_seed_accounts(conn, who.id)]
    data = {
        "person": who.email,
        "credentials": [e.to_dict() for e in exposed],
        "fields": [f.to_dict() for f in fields],
        "exported_seeds": seeds,
    }
    if as_json:
        emit_json(data)
        return
    table(
        ["account", "version", "possible", "observed", "via"],
        [[e.account_name, e.version, e.possible, e.observed, list(e.via)] for e in exposed],
        title=f"Credentials {who.email} could know",
    )
    if fields:
        table(
            ["account", "field", "version", "kind", "last"],
            [[f.account_name, f.field, f.version, f.kind, f.last.isoformat()] for f in fields],
            title=f"Other fields {who.email} saw, unchanged since",
        )
    if seeds:
        info(f"2FA seeds {who.email} saw (current): {', '.join(seeds)}")


from accessguard.cli.creds_import import import_cmd  # noqa: E402  (creds import)

creds.add_command(import_cmd)
creds.add_command(reveal_cmd)
