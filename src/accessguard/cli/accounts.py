"""`accounts`: add, update, archive, list, show, import accounts, import grants."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import click

from accessguard.app import App
from accessguard.cli.context import pass_app
from accessguard.cli.option_names import Decorator
from accessguard.cli.options import reason_option
from accessguard.cli.output import cell, emit_json, info, table
from accessguard.cli.updates import change_options, report_change, stacked
from accessguard.inventory.vocab import CRITICALITIES as CRITICALITY_CHOICES
from accessguard.inventory.vocab import PLATFORMS as PLATFORM_CHOICES

if TYPE_CHECKING:
    from accessguard.inventory.accounts import ConnectorCheck
    from accessguard.inventory.records import AccountRecord


class AccountRules(TypedDict):
    """The keyword arguments of ``add_account`` and ``import_accounts`` that check an account."""

    company_domains: Sequence[str]
    company_phone_prefixes: Sequence[str]
    check_connector: ConnectorCheck


@click.group("accounts")
def accounts() -> None:
    """Brand accounts on social platforms and management suites."""


def _account_rules(app: App) -> AccountRules:
    """What `accounts add` and `accounts import` check an account against: the company's
    email domains and phone prefixes (recovery contacts) and the connector's settings."""
    from accessguard.connectors.readiness import account_problems

    company = app.settings.company
    return {
        "company_domains": company.domains,
        "company_phone_prefixes": company.phone_prefixes,
        "check_connector": account_problems,
    }


def _parse_settings(pairs: tuple[str, ...]) -> dict[str, Any]:
    from accessguard.connectors.settings import parse_value
    from accessguard.errors import InputError

    settings: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--setting: {pair!r} is not KEY=VALUE")
        settings[key.strip()] = parse_value(value)
    return settings


@accounts.command("add")
@click.argument("name")
@click.option("--platform", required=True, type=click.Choice(PLATFORM_CHOICES))
@click.option("--handle", required=True, help="The handle, page or profile id on the platform.")
@click.option("--display-name", help="Public name of the account.")
@click.option("--owner", metavar="PERSON", help="The person accountable for the account.")
@click.option(
    "--criticality", type=click.Choice(CRITICALITY_CHOICES), default="medium", show_default=True
)
@click.option("--recovery-email", metavar="EMAIL", help="Recovery email on the platform.")
@click.option("--recovery-phone", metavar="PHONE", help="Recovery phone on the platform.")
@click.option(
    "--connector",
    help="Connector that manages access (default: the platform's; `connectors list` shows them).",
)
@click.option(
    "--setting",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="Connector setting (repeatable; `connectors list --json` lists each connector's).",
)
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the new account as JSON.")
@pass_app
def add(
    app: App,
    name: str,
    platform: str,
    handle: str,
    display_name: str | None,
    owner: str | None,
    criticality: str,
    recovery_email: str | None,
    recovery_phone: str | None,
    connector: str | None,
    settings: tuple[str, ...],
    tags: tuple[str, ...],
    as_json: bool,
) -> None:
    """Add an account NAME (a short slug used in every other command)."""
    from accessguard.inventory.accounts import AccountInput, add_account
    from accessguard.inventory.records import account_to_dict

    data = AccountInput(
        name=name,
        platform=platform,
        handle=handle,
        display_name=display_name,
        owner_email=owner,
        criticality=criticality,
        recovery_email=recovery_email,
        recovery_phone=recovery_phone,
        connector=connector,
        settings=_parse_settings(settings),
        tags=list(tags),
    )
    with app.begin() as conn:
        account = add_account(conn, app.clock, app.actor, data, **_account_rules(app))
    result = account_to_dict(account, owner.lower() if owner else None)
    if as_json:
        emit_json(result)
    info(f"added {result['name']} ({result['platform']}:{result['handle']})")


@accounts.command("list")
@click.option("--platform", type=click.Choice(PLATFORM_CHOICES), help="Only this platform.")
@click.option("--archived", is_flag=True, help="Include archived accounts.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def list_cmd(app: App, platform: str | None, archived: bool, as_json: bool) -> None:
    """List accounts in service (with --archived, archived ones too)."""
    from accessguard.inventory.accounts import list_accounts, owner_emails
    from accessguard.inventory.records import account_to_dict

    with app.begin() as conn:
        found = list_accounts(conn, platform=platform, archived=archived)
        owners = owner_emails(conn, found)
    rows = [account_to_dict(a, owners.get(a.id)) for a in found]
    if as_json:
        emit_json(rows)
        return
    columns = ["name", "platform", "handle", "owner", "criticality", "tags"]
    columns += ["archived_at"] if archived else []
    table(columns, [[r[c] for c in columns] for r in rows])


@accounts.command("show")
@click.argument("account")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def show(app: App, account: str, as_json: bool) -> None:
    """Show one account (by name or platform:handle) and who holds it."""
    from accessguard.inventory.accounts import owner_emails
    from accessguard.inventory.grants import who_has
    from accessguard.inventory.records import account_to_dict, get_account_record

    with app.begin() as conn:
        found = get_account_record(conn, account)
        data = account_to_dict(found, owner_emails(conn, [found]).get(found.id))
        data["grants"] = who_has(conn, found.name)
    if as_json:
        emit_json(data)
        return
    for key, value in data.items():
        if key == "grants":
            continue
        if isinstance(value, dict):
            value = json.dumps(value, sort_keys=True) if value else None
        click.echo(f"{key:>22}: {cell(value)}")
    table(
        ["person", "role", "via", "granted_at", "expires_at"],
        [
            [g["person"], g["role"], g["via"], g["granted_at"], g["expires_at"]]
            for g in data["grants"]
        ],
        title="grants",
    )


def _account_update_options() -> Decorator:
    """The fields `accounts update` changes, as `accounts add` names them."""
    return stacked(
        click.option("--handle", help="The handle, page or profile id on the platform."),
        click.option("--display-name", help="Public name of the account."),
        click.option("--owner", metavar="PERSON", help="The person accountable for it."),
        click.option("--criticality", type=click.Choice(CRITICALITY_CHOICES)),
        click.option("--recovery-email", metavar="EMAIL", help="Recovery email on the platform."),
        click.option("--recovery-phone", metavar="PHONE", help="Recovery phone on the platform."),
        click.option("--connector", help="Connector that manages access."),
        click.option(
            "--setting",
            "settings",
            multiple=True,
            metavar="KEY=VALUE",
            help="Set a connector setting (repeatable; others are kept).",
        ),
        click.option(
            "--unset-setting", "unset", multiple=True, metavar="KEY", help="Remove a setting."
        ),
        click.option("--tag", "tags", multiple=True, help="Add a tag (repeatable)."),
        click.option("--untag", "untags", multiple=True, help="Remove a tag (repeatable)."),
    )


@accounts.command("update")
@click.argument("account")
@_account_update_options()
@change_options()
@pass_app
def update_cmd(
    app: App,
    /,
    account: str,
    reason: str | None,
    dry_run: bool,
    as_json: bool,
    **fields: Any,
) -> None:
    """Change ACCOUNT's fields, checked as `accounts add` checks them; "" clears an optional one."""
    from accessguard.connectors.readiness import account_problems
    from accessguard.inventory.account_changes import (
        AccountUpdate,
        CompanyContacts,
        apply_account_update,
        plan_account_update,
    )

    change = AccountUpdate(
        handle=fields["handle"],
        display_name=fields["display_name"],
        owner_email=fields["owner"],
        criticality=fields["criticality"],
        recovery_email=fields["recovery_email"],
        recovery_phone=fields["recovery_phone"],
        connector=fields["connector"],
        set_settings=_parse_settings(fields["settings"]),
        unset_settings=fields["unset"],
        add_tags=fields["tags"],
        remove_tags=fields["untags"],
    )
    company = CompanyContacts(app.settings.company.domains, app.settings.company.phone_prefixes)
    with app.begin() as conn:
        found, diff = plan_account_update(conn, account, change, check_connector=account_problems)
        if not dry_run:
            apply_account_update(
                conn, app.clock, app.actor, found, diff, reason=reason, company=company
            )
    done = f"{len(diff)} change(s)"
    report_change("account", found.name, diff, dry_run=dry_run, as_json=as_json, done=done)


@accounts.command("archive")
@click.argument("account")
@reason_option()
@click.option("--dry-run", is_flag=True, help="Print what would change and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the archived account as JSON.")
@pass_app
def archive_cmd(app: App, account: str, reason: str | None, dry_run: bool, as_json: bool) -> None:
    """Take ACCOUNT out of service, keeping its history (grants, audit trail, runs).

    An archived account is hidden from `accounts list` (unless --archived), takes no
    new grants and is skipped by reconcile. Refused while anyone holds an active grant
    on it: end those first (`revoke`, or `offboard`). `accounts unarchive` undoes it.
    """
    found, data, changed = _set_archived(
        app, account, archive=True, reason=reason, dry_run=dry_run, as_json=as_json
    )
    if not changed:
        info(f"{found.name} is already archived (since {data['archived_at']})")
    elif dry_run:
        info(f"would archive {found.name} (dry run: nothing written)")
    else:
        info(f"archived {found.name}; its history is kept (`accounts show {found.name}`)")


@accounts.command("unarchive")
@click.argument("account")
@reason_option()
@click.option("--dry-run", is_flag=True, help="Print what would change and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the account as JSON.")
@pass_app
def unarchive_cmd(app: App, account: str, reason: str | None, dry_run: bool, as_json: bool) -> None:
    """Put an archived ACCOUNT back in service (an archive made by mistake)."""
    found, _, changed = _set_archived(
        app, account, archive=False, reason=reason, dry_run=dry_run, as_json=as_json
    )
    if not changed:
        info(f"{found.name} is in service (not archived)")
    else:
        info(
            f"{'would put' if dry_run else 'put'} {found.name} back in service"
            + (" (dry run: nothing written)" if dry_run else "")
        )


def _set_archived(
    app: App, account: str, *, archive: bool, reason: str | None, dry_run: bool, as_json: bool
) -> tuple[AccountRecord, dict[str, Any], bool]:
    """Archive or unarchive ``account`` (unless ``dry_run``): the record, its dict, whether
    it changes; the JSON result is printed here, the sentence by the command."""
    from accessguard.inventory.account_changes import (
        archive_account,
        plan_archive,
        unarchive_account,
    )
    from accessguard.inventory.accounts import owner_emails
    from accessguard.inventory.records import account_to_dict, get_account_record

    with app.begin() as conn:
        found = plan_archive(conn, account) if archive else get_account_record(conn, account)
        changed = (found.archived_at is None) == archive
        if not dry_run:
            act = archive_account if archive else unarchive_account
            found = act(conn, app.clock, app.actor, found, reason=reason)
        data = account_to_dict(found, owner_emails(conn, [found]).get(found.id))
    if as_json:
        emit_json({"account": data, "dry_run": dry_run, "changed": changed})
    return found, data, changed


def _report_changes(changes: list[Any], *, dry_run: bool, as_json: bool) -> None:
    if as_json:
        emit_json([c.to_dict() for c in changes])
    else:
        for change in changes:
            click.echo(change.describe())
    info(f"{len(changes)} change(s){' (dry run: nothing written)' if dry_run else ''}")


@accounts.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change without writing.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@pass_app
def import_cmd(app: App, file: Path, dry_run: bool, as_json: bool) -> None:
    """Import accounts from a CSV; all or nothing.

    Columns: name,platform,handle (required) and display_name, owner, criticality,
    recovery_email, recovery_phone, connector, tags (';'-separated), settings (JSON
    object). New names are added; existing ones are updated.
    """
    from accessguard.inventory.importers import import_accounts

    with app.begin() as conn:
        rules = _account_rules(app)
        changes = import_accounts(conn, app.clock, app.actor, file, dry_run=dry_run, **rules)
    _report_changes(changes, dry_run=dry_run, as_json=as_json)


@accounts.command("import-grants")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change without writing.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@pass_app
def import_grants_cmd(app: App, file: Path, dry_run: bool, as_json: bool) -> None:
    """Import grants from a CSV; all or nothing.

    Columns: person,account,role,via (required) and expires, reason, ticket. Grants
    already held are left as they are, so the same file can be imported again.
    """
    from accessguard.inventory.importers import import_grants

    with app.begin() as conn:
        changes = import_grants(conn, app.clock, app.actor, file, dry_run=dry_run)
    _report_changes(changes, dry_run=dry_run, as_json=as_json)
