"""`connectors list|check` and `reconcile`: the platforms behind the inventory."""

from __future__ import annotations

import sys
from typing import Any

import click

from accessguard.app import App
from accessguard.cli.context import pass_app
from accessguard.cli.output import Format, cell, emit_json, info, settings, table
from accessguard.errors import InputError
from accessguard.exit_codes import ExitCode


@click.group("connectors")
def connectors() -> None:
    """Platform connectors: which exist, and whether an account's credentials work."""


@connectors.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_cmd(as_json: bool) -> None:
    """List every connector (built-in and from entry points)."""
    from accessguard.connectors.registry import BUILTINS, DEFAULT_BY_PLATFORM, available

    rows = []
    for name, cls in sorted(available().items()):
        rows.append(
            {
                "name": name,
                "source": "built-in" if name in BUILTINS else "entry point",
                "can_list": cls.can_list,
                "can_revoke": cls.can_revoke,
                "platforms": sorted(p for p, c in DEFAULT_BY_PLATFORM.items() if c == name),
                "settings": [s.to_dict() for s in cls.settings_spec],
                "secrets": list(cls.secret_keys),
                "summary": cls.summary,
            }
        )
    if as_json:
        emit_json(rows)
        return
    table(
        ["name", "list", "revoke", "platforms", "summary"],
        [[r["name"], r["can_list"], r["can_revoke"], r["platforms"], r["summary"]] for r in rows],
    )


@connectors.command("check")
@click.argument("account")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def check_cmd(app: App, account: str, as_json: bool) -> None:
    """Check ACCOUNT's connector: what it still needs, then whether the platform answers.

    Missing settings, secrets (with the command that stores them) and a refused
    base_url host are listed at once, and the platform is not called; exit 1.
    """
    from accessguard.connectors.readiness import missing
    from accessguard.connectors.registry import build_connector, connector_name, http_client
    from accessguard.reconcile.records import get_connected_account
    from accessguard.results import ActionResult

    with app.begin() as conn:
        acct = get_connected_account(conn, account)
    name = connector_name(acct)
    needs = missing(app, acct)
    if needs:
        if as_json:
            emit_json(
                {"account": acct.name, "connector": name, "outcome": "missing", "missing": needs}
            )
        else:
            click.echo(f"{acct.name} ({name}): not ready, it needs:", err=True)
            for line in needs:
                click.echo(f"  - {line}", err=True)
        sys.exit(ExitCode.ERROR)
    connector = build_connector(app, acct, http=http_client(app))
    if connector is None:
        result = ActionResult.unchanged(f"{acct.name} has no API connector: revokes are manual")
    else:
        result = connector.check()
    data = {"account": acct.name, "connector": name, **result.to_dict()}
    if as_json:
        emit_json(data)
    else:
        click.echo(f"{acct.name} ({name or 'none'}): {result.outcome.value}: {result.message}")


@connectors.group("secret")
def secret() -> None:
    """Connector secrets (API tokens, webhook URLs), stored in Vault where connectors read them."""


@secret.command("set")
@click.argument("target", metavar="ACCOUNT|NOTIFIER")
@click.argument("field", required=False, default=None)
@click.option(
    "--notifier",
    "notifier_kind",
    type=click.Choice(["webhook", "slack", "jira"]),
    help="TARGET is a notifier channel of this kind, not an account.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def secret_set(
    app: App, target: str, field: str | None, notifier_kind: str | None, as_json: bool
) -> None:
    """Store a secret of ACCOUNT (or a notifier channel) from stdin or a hidden prompt.

    FIELD defaults to the connector's first secret (``token``; ``url`` for webhook and
    slack). The value is never an argument; the Vault path it goes to is the one the
    connector reads (``<mount>/<prefix>/connectors/accounts/ACCOUNT``).
    """
    from accessguard.cli.login import read_hidden
    from accessguard.connectors.readiness import store_secret
    from accessguard.connectors.registry import connector_class, connector_name
    from accessguard.connectors.tokens import Kind
    from accessguard.reconcile.records import get_connected_account
    from accessguard.secret import Secret

    kind: Kind
    if notifier_kind:
        kind, name, connector = "notifiers", target, notifier_kind
    else:
        with app.begin() as conn:
            acct = get_connected_account(conn, target)
        kind, name, connector = "accounts", acct.name, connector_name(acct) or "manual"
        if connector == "manual":
            raise InputError(
                f"{acct.name} has no API connector, so it reads no secret",
                hint="set its connector first (accounts import with a connector column)",
            )
    keys = connector_class(connector).secret_keys
    chosen = field or (keys[0] if keys else "token")
    value = Secret(read_hidden(f"{chosen} for {name}: "))
    with app.begin() as conn:
        version = store_secret(
            app, conn, kind=kind, name=name, connector=connector, field=chosen, value=value
        )
    data = {"target": name, "kind": kind, "field": chosen, "vault_version": version}
    if as_json:
        emit_json(data)
    else:
        info(f"stored {chosen} of {name} in Vault (version {version})")


@click.command("reconcile")
@click.option("--account", "account_ref", metavar="ACCOUNT", help="Only this account.")
@click.option("--platform", metavar="PLATFORM", help="Only accounts on this platform.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--fail-on-drift", is_flag=True, help="Exit 3 when drift is found (for schedulers).")
@pass_app
def reconcile_cmd(
    app: App, account_ref: str | None, platform: str | None, as_json: bool, fail_on_drift: bool
) -> None:
    """Compare what platforms report with the inventory; store, audit and print the drift.

    Platforms with an activity log (TikTok) also show what changed there since the
    account's last reconcile: who changed whose access, when.
    """
    from accessguard.connectors.registry import build_connector, http_client
    from accessguard.reconcile.changes import read_cursors
    from accessguard.reconcile.records import accounts_in_scope
    from accessguard.reconcile.run import fetch_holders, record_reconcile, scope_of

    with app.begin() as conn:
        accounts = accounts_in_scope(conn, account_ref, platform=platform)
        cursors = read_cursors(conn, [a.id for a in accounts])
    # Platforms are asked outside any transaction: a slow API never holds a database lock.
    http = http_client(app)
    try:
        fetched = fetch_holders(
            accounts,
            lambda a: build_connector(app, a, http=http),
            clock=app.clock,
            cursors=cursors,
        )
    finally:
        http.close()
    with app.begin() as conn:
        report = record_reconcile(
            conn,
            app.clock,
            app.actor,
            scope=scope_of(account_ref, platform),
            fetched=fetched,
        )
    if as_json:
        emit_json(report.to_dict())
    else:
        _render(report.to_dict())
    if report.errors:
        sys.exit(ExitCode.PARTIAL_FAILURE)
    if fail_on_drift and report.drift_count:
        sys.exit(ExitCode.CHANGES_PENDING)


def _render(data: dict[str, Any]) -> None:
    accounts: list[dict[str, Any]] = data["accounts"]
    rows = [
        [a["account"], d["kind"], d["email"] or d["name"], d["platform_id"], d["role"], _why(d)]
        for a in accounts
        for d in a["drift"]
    ]
    table(["account", "kind", "who", "platform_id", "role", "why"], rows, title="drift")
    changes = [[a["account"], *_change_cells(c)] for a in accounts for c in a["changes"]]
    if changes and settings().format is Format.TABLE:
        table(["account", "when", "by", "kind", "what"], changes, title="platform changes")
    for a in accounts:
        if a["status"] != "ok":
            info(f"{a['account']}: {a['status']}: {a['error']}")
        if a["feed_error"]:
            info(f"{a['account']}: change feed not read: {a['feed_error']}")
    info(
        f"reconcile {data['run_id']}: {data['status']}, {data['drift_count']} drift item(s), "
        f"{data['change_count']} platform change(s), {data['errors']} account error(s)"
    )


def _change_cells(change: dict[str, Any]) -> list[Any]:
    """when, by, kind, what: one platform change as a table row."""
    return [
        change["occurred_at"],
        change["actor_name"] or change["actor"],
        change["kind"],
        change["summary"],
    ]


def _why(drift: dict[str, Any]) -> str | None:
    """The latest platform change about a drift item's person: when, by whom, what."""
    if not drift.get("changes"):
        return None
    when, by, _kind, what = _change_cells(drift["changes"][-1])
    return f"{cell(when)} by {by or 'unknown'}: {what}"
