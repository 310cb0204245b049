"""`grant`, `revoke`, `who-has`, `holdings`: who holds which account, and how."""

from __future__ import annotations

from typing import Any

import click

from accessguard.app import App
from accessguard.cli.context import pass_app, run_hooks
from accessguard.cli.option_names import DATE, Aliased, Decorator
from accessguard.cli.options import reason_option
from accessguard.cli.output import emit_json, info, table
from accessguard.cli.stepup import step_up_check, step_up_option
from accessguard.cli.updates import stacked
from accessguard.inventory.vocab import GRANT_VIAS as VIA_CHOICES


@click.command("grant")
@click.argument("person")
@click.argument("account")
@click.option("--role", required=True, help="Role on the account, e.g. admin, editor, analyst.")
@click.option("--via", required=True, type=click.Choice(VIA_CHOICES), help="How access is held.")
@click.option(
    "--until",
    "--expires",
    "expires",
    cls=Aliased,
    metavar=DATE,
    help="Expiry: YYYY-MM-DD, or an ISO 8601 time (UTC).",
)
@reason_option(help="Why the access is needed.")
@click.option("--ticket", help="Ticket or request id.")
@click.option("--json", "as_json", is_flag=True, help="Print the new grant as JSON.")
@pass_app
def grant_cmd(
    app: App,
    person: str,
    account: str,
    role: str,
    via: str,
    expires: str | None,
    reason: str | None,
    ticket: str | None,
    as_json: bool,
) -> None:
    """Record that PERSON (email) holds a role on ACCOUNT (name or platform:handle)."""
    from accessguard.inventory.grants import add_grant
    from accessguard.inventory.records import get_account_record, get_person_record, grant_to_dict
    from accessguard.inventory.validation import parse_datetime

    expires_at = parse_datetime(expires, "--until") if expires else None
    with app.begin() as conn:
        grant = add_grant(
            conn,
            app.clock,
            app.actor,
            person_email=person,
            account_ref=account,
            role=role,
            via=via,
            expires_at=expires_at,
            reason=reason,
            ticket=ticket,
        )
        holder = get_person_record(conn, person)
        data = grant_to_dict(grant, holder, get_account_record(conn, account))
    if as_json:
        emit_json(data)
    info(f"granted {data['role']} on {data['account']} to {data['person']} via {data['via']}")


@click.command("revoke")
@click.argument("person")
@click.argument("account")
@reason_option(required=True, help="Why access ends (recorded in the audit trail).")
@click.option("--role", help="Only this role (default: every active grant on the account).")
@click.option("--force", is_flag=True, help="Accept leaving the account without an active admin.")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the revoked grants as JSON.")
@step_up_option
@pass_app
def revoke_cmd(
    app: App,
    person: str,
    account: str,
    reason: str,
    role: str | None,
    force: bool,
    dry_run: bool,
    as_json: bool,
    step_up_code: str | None,
) -> None:
    """End PERSON's active grants on ACCOUNT in the inventory (rows are kept as history).

    This records the revocation, as a run (`runs list`); removing the access on the
    platform itself is what `offboard` does. Revoking what is already gone succeeds and
    changes nothing.
    """
    from accessguard.inventory.grants import holdings
    from accessguard.inventory.records import get_account_record
    from accessguard.playbooks.builtin import describe, revoke_plan, run_builtin
    from accessguard.playbooks.sources import GrantParams

    with app.begin() as conn:
        plan = revoke_plan(conn, person, account, reason=reason, role=role, force=force)
        where = get_account_record(conn, account).name
    if dry_run:
        _show_plan(plan.to_dict() if as_json else describe(plan))
        return
    email, (step,) = plan.email, plan.steps
    if not step.items:
        if as_json:
            emit_json([])
        info(f"{email} holds no active grant on {where}{f' as {role}' if role else ''}")
        return
    report = run_builtin(app, plan, step_up=step_up_check(app, step_up_code), hooks=run_hooks())
    ids = {item.params.grant_id for item in step.items if isinstance(item.params, GrantParams)}
    with app.begin() as conn:
        rows = [g for g in holdings(conn, email, history=True) if g["id"] in ids]
    if as_json:
        emit_json(rows)
    roles = ", ".join(sorted({f"{r['role']} ({r['via']})" for r in rows}))
    info(f"revoked {roles} on {where} from {email} (run {report.run_id})")
    if report.exit_code:
        raise SystemExit(report.exit_code)


def _show_plan(plan: dict[str, Any] | list[str]) -> None:
    """A dry run's plan: JSON on stdout, or its lines."""
    if isinstance(plan, dict):
        emit_json({"dry_run": True, "plan": plan})
    else:
        for line in plan:
            click.echo(line)


_GRANT_COLUMNS = ["role", "via", "granted_at", "expires_at", "revoked_at", "revoke_reason"]


def _render(key: str, subject: str, grants: list[dict[str, Any]], history: bool) -> None:
    columns = [key, *_GRANT_COLUMNS] if history else [key, *_GRANT_COLUMNS[:4]]
    columns.insert(1, "person_status" if key == "person" else "platform")
    table(
        columns,
        [[g[c][:19] if c.endswith("_at") and g[c] else g[c] for c in columns] for g in grants],
        title=subject,
    )


def _grant_list_options(argument: str) -> Decorator:
    """The argument, ``--history`` and ``--json`` of `who-has` and `holdings`."""
    return stacked(
        click.argument(argument),
        click.option("--history", is_flag=True, help="Include revoked grants."),
        click.option("--json", "as_json", is_flag=True, help="Print JSON."),
    )


def _show_grants(
    whose: dict[str, str],
    grants: list[dict[str, Any]],
    *,
    history: bool,
    key: str,
    subject: str,
    as_json: bool,
) -> None:
    """JSON (``whose`` fields, ``history``, ``grants``), or a table titled ``subject``, a row a ``key``."""
    if as_json:
        emit_json({**whose, "history": history, "grants": grants})
        return
    _render(key, subject, grants, history)


@click.command("who-has")
@_grant_list_options("account")
@pass_app
def who_has_cmd(app: App, account: str, history: bool, as_json: bool) -> None:
    """Who holds access to ACCOUNT (name or platform:handle)."""
    from accessguard.inventory.grants import who_has
    from accessguard.inventory.records import get_account_record

    with app.begin() as conn:
        found = get_account_record(conn, account)
        grants = who_has(conn, found.name, history=history)
    data = {"account": found.name, "platform": found.platform, "handle": found.handle}
    subject = f"{found.name} ({found.platform}:{found.handle})"
    _show_grants(data, grants, history=history, key="person", subject=subject, as_json=as_json)


@click.command("holdings")
@_grant_list_options("person")
@pass_app
def holdings_cmd(app: App, person: str, history: bool, as_json: bool) -> None:
    """What PERSON (email) holds access to."""
    from accessguard.inventory.grants import holdings
    from accessguard.inventory.records import get_person_record

    with app.begin() as conn:
        found = get_person_record(conn, person)
        grants = holdings(conn, found.email, history=history)
    data = {"person": found.email, "name": found.name, "status": found.status}
    subject = f"{found.name} <{found.email}> ({found.status})"
    _show_grants(data, grants, history=history, key="account", subject=subject, as_json=as_json)
