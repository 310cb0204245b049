"""`vault`: bootstrap, status, the tool policy, sync people's access, revoke a person."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from accessguard.app import App
from accessguard.cli.context import pass_app, run_hooks
from accessguard.cli.conventions import no_csv
from accessguard.cli.options import dry_run_option, plan_gate, yes_option
from accessguard.cli.output import emit_json, info, table
from accessguard.cli.stepup import step_up_check, step_up_option

if TYPE_CHECKING:
    from accessguard.vault.facade import Vault


@click.group("vault")
def vault() -> None:
    """Vault set-up and people's own Vault access."""


@vault.command("bootstrap")
@no_csv
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def bootstrap_cmd(app: App, as_json: bool) -> None:
    """One-time set-up with an admin token: mounts, tool policy, a group per account (idempotent)."""
    from accessguard.credentials.vault_setup import bootstrap_vault
    from accessguard.vault.facade import open_vault

    client = open_vault(app)
    with app.begin() as conn:
        report = bootstrap_vault(conn, app.clock, vault=client, actor=app.actor)
    if as_json:
        emit_json(report.to_dict())
        return
    table(["kind", "name", "outcome"], [[i["kind"], i["name"], i["outcome"]] for i in report.items])
    info(
        f"tool policy: {client.paths.tool_policy()} (create its token with "
        f"`bao token create -policy={client.paths.tool_policy()}`)"
    )


@vault.command("policy")
@pass_app
def policy_cmd(app: App) -> None:
    """Print the tool's minimal policy, rendered for these settings."""
    from accessguard.vault.paths import VaultPaths
    from accessguard.vault.policies import tool_policy_text

    click.echo(tool_policy_text(VaultPaths.from_settings(app.settings.vault)), nl=False)


@vault.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def status_cmd(app: App, as_json: bool) -> None:
    """Address, seal state, version and the tool token's TTL and policies."""
    from accessguard.vault.facade import open_vault

    client = open_vault(app, require_token=False)
    health = client.sys.health()
    token = _token_info(client) if client.connection.token else None
    result = {
        "address": client.addr,
        "addresses": list(client.connection.addresses),
        "initialized": health.get("initialized"),
        "sealed": health.get("sealed"),
        "standby": health.get("standby"),
        "version": health.get("version"),
        "token": token,
    }
    if as_json:
        emit_json(result)
        return
    table(
        ["address", "sealed", "version", "token ttl", "policies"],
        [
            [
                result["address"],
                result["sealed"],
                result["version"],
                token["ttl"] if token else "no token",
                token["policies"] if token else None,
            ]
        ],
    )


def _token_info(client: Vault) -> dict[str, Any]:
    """The token's lookup-self; a refused token says how to get a good one (not this command)."""
    from accessguard.errors import VaultForbiddenError

    try:
        return client.sys.token_info()
    except VaultForbiddenError as exc:
        raise VaultForbiddenError(
            f"{exc.message} (Vault does not accept the token)",
            hint="the token is wrong or expired: store a new one with `accessguard login`, "
            "or set VAULT_TOKEN",
            code=exc.code,
        ) from None


@vault.command("sync")
@no_csv
@click.option("--dry-run", is_flag=True, help="Only print the drift.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def sync_cmd(app: App, dry_run: bool, as_json: bool) -> None:
    """Put each person's entity in exactly the groups their shared-login grants give."""
    from accessguard.credentials.identity import sync
    from accessguard.vault.facade import open_vault

    client = open_vault(app)
    with app.begin() as conn:
        plan = sync(conn, app.clock, vault=client, actor=app.actor, dry_run=dry_run)
    data = plan.to_dict() | {"dry_run": dry_run}
    if as_json:
        emit_json(data)
        return
    rows = [["add", r["person"], r["account"]] for r in data["add"]]
    rows += [["remove", r["person"], r["account"]] for r in data["remove"]]
    rows += [["remove (unknown)", r["entity_id"], r["account"]] for r in data["unknown_members"]]
    table(
        ["change", "member", "account"],
        rows,
        title="Vault drift" + (" (dry run)" if dry_run else ""),
    )
    for group in plan.missing_groups:
        info(f"warning: group {group} is missing: run `accessguard vault bootstrap`")


@vault.command("revoke-person")
@no_csv
@click.argument("person")
@dry_run_option
@yes_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@step_up_option
@pass_app
def revoke_person_cmd(
    app: App, person: str, dry_run: bool, yes: bool, as_json: bool, step_up_code: str | None
) -> None:
    """Remove PERSON from groups, disable the entity, delete the login, revoke their tokens."""
    from accessguard.playbooks.builtin import only_result, run_builtin, vault_revoke_plan

    with app.begin() as conn:
        plan = vault_revoke_plan(conn, person)
    question = f"Revoke every Vault access of {plan.email}?"
    if not plan_gate(plan, dry_run=dry_run, yes=yes, as_json=as_json, question=question):
        return
    result = only_result(
        app, run_builtin(app, plan, step_up=step_up_check(app, step_up_code), hooks=run_hooks())
    )
    if as_json:
        emit_json(result)
    else:
        info(f"{result['outcome']}: {result['message']} (run {result['run']})")


@vault.command("user")
@click.argument("person")
@click.option("--json", "as_json", is_flag=True, help="Print the login (never the password).")
@pass_app
def user_cmd(app: App, person: str, as_json: bool) -> None:
    """Create or reset PERSON's own Vault login (password from a hidden prompt or stdin)."""
    from accessguard.cli.login import read_hidden
    from accessguard.credentials.identity import set_user_password
    from accessguard.errors import InputError
    from accessguard.inventory.records import get_person_record
    from accessguard.secret import Secret
    from accessguard.vault.facade import open_vault

    password = Secret(read_hidden("New Vault password"))
    if not password.reveal():  # an empty stdin is a forgotten pipe, not a short password
        raise InputError("no password given", hint="pipe it on stdin or type it at the prompt")
    if len(password.reveal()) < 12:
        raise InputError("the password must be at least 12 characters")
    client = open_vault(app)
    with app.begin() as conn:
        identity = set_user_password(
            conn,
            app.clock,
            vault=client,
            person=get_person_record(conn, person),
            password=password,
            actor=app.actor,
        )
    if as_json:
        emit_json(
            {
                "person": person.strip().lower(),
                "username": identity.username,
                "entity_id": identity.entity_id,
                "mount": client.paths.userpass_mount,
            }
        )
    info(f"Vault login {identity.username} is ready (userpass at {client.paths.userpass_mount}/)")
