"""`people`: add, list, show, import the HR feed, mark leavers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from accessguard.app import App
from accessguard.cli.context import pass_app
from accessguard.cli.output import emit_json, info, table
from accessguard.inventory.vocab import PERSON_KINDS, PERSON_STATUSES


@click.group("people")
def people() -> None:
    """People who can hold access: employees, contractors, agencies."""


@people.command("add")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--department", help="Department.")
@click.option("--manager", "manager_email", metavar="EMAIL", help="Manager's email.")
@click.option(
    "--kind",
    type=click.Choice(PERSON_KINDS),
    default="employee",
    show_default=True,
)
@click.option(
    "--end-date", type=click.DateTime(["%Y-%m-%d"]), help="Contract or employment end date."
)
@pass_app
def add(
    app: App,
    email: str,
    name: str,
    department: str | None,
    manager_email: str | None,
    kind: str,
    end_date: object,
) -> None:
    """Add a person by email."""
    from accessguard.inventory.people import PersonInput, add_person

    end = end_date.date() if end_date else None  # type: ignore[attr-defined]
    with app.begin() as conn:
        person = add_person(
            conn,
            app.clock,
            app.actor,
            PersonInput(email, name, department, manager_email, kind, end_date=end),
        )
    info(f"added {person.email}")


@people.command("list")
@click.option("--status", type=click.Choice(PERSON_STATUSES))
@click.option("--kind", type=click.Choice(PERSON_KINDS))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def list_cmd(app: App, status: str | None, kind: str | None, as_json: bool) -> None:
    """List people."""
    from accessguard.inventory.people import list_people
    from accessguard.inventory.records import person_to_dict

    with app.begin() as conn:
        rows = [person_to_dict(p) for p in list_people(conn, status=status, kind=kind)]
    if as_json:
        emit_json(rows)
        return
    columns = ["email", "name", "department", "kind", "status", "end_date"]
    table(columns, [[r[c] for c in columns] for r in rows])


@people.command("show")
@click.argument("email")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def show(app: App, email: str, as_json: bool) -> None:
    """Show one person and what they hold."""
    from accessguard.inventory.grants import holdings
    from accessguard.inventory.records import get_person_record, person_to_dict

    with app.begin() as conn:
        data = person_to_dict(get_person_record(conn, email))
        data["grants"] = holdings(conn, email)
    if as_json:
        emit_json(data)
        return
    for key in ("email", "name", "department", "manager", "kind", "status", "end_date", "source"):
        click.echo(f"{key:>11}: {data[key] if data[key] is not None else '-'}")
    table(
        ["account", "platform", "role", "via", "expires_at"],
        [
            [g["account"], g["platform"], g["role"], g["via"], g["expires_at"]]
            for g in data["grants"]
        ],
        title="grants",
    )


@people.command("leave")
@click.argument("email")
@click.option(
    "--on", "on", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day (YYYY-MM-DD)."
)
@pass_app
def leave(app: App, email: str, on: object) -> None:
    """Mark a person as leaving on a date."""
    from accessguard.inventory.people import mark_leaving

    day: date = on.date()  # type: ignore[attr-defined]
    with app.begin() as conn:
        person = mark_leaving(conn, app.clock, app.actor, email, day)
    info(f"{person.email} is {person.status} (end date {day.isoformat()})")


@people.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change without writing.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@pass_app
def import_cmd(app: App, file: Path, dry_run: bool, as_json: bool) -> None:
    """Import the HR feed (CSV: email,name,department,manager,kind,status,end_date); all or nothing."""
    from accessguard.inventory.importers import import_people

    with app.begin() as conn:
        changes = import_people(conn, app.clock, app.actor, file, dry_run=dry_run)
    if as_json:
        emit_json([c.to_dict() for c in changes])
        return
    for change in changes:
        click.echo(change.describe())
    info(f"{len(changes)} change(s){' (dry run: nothing written)' if dry_run else ''}")
