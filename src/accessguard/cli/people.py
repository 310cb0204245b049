"""`people`: add, list, show, import the HR feed, mark leavers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from accessguard.app import App
from accessguard.cli.context import pass_app
from accessguard.cli.output import cell, emit_json, info, table
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
    from accessguard.inventory.personal import person_contacts
    from accessguard.inventory.records import get_person_record, person_to_dict

    with app.begin() as conn:
        person = get_person_record(conn, email)
        data = person_to_dict(person) | person_contacts(person)
        data["grants"] = holdings(conn, email)
    if as_json:
        emit_json(data)
        return
    for key in ("email", "name", "department", "manager", "kind", "status", "end_date", "source"):
        click.echo(f"{key:>11}: {data[key] if data[key] is not None else '-'}")
    for key in ("personal_email", "personal_phone"):  # shown here only: personal data
        click.echo(f"{key:>14}: {data[key] or '-'}")
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
@click.option("--full", is_flag=True, help="The feed lists everyone: mark the absent leaving.")
@click.option(
    "--max-leaving",
    type=click.FloatRange(0, 100),
    default=10,
    show_default=True,
    metavar="PERCENT",
    help="With --full, refuse a feed that would mark more than this share leaving at once.",
)
@click.option(
    "--map",
    "column_map",
    metavar="FIELD=COLUMN,...",
    help='Read fields from other columns, e.g. "email=Work Email,leave_date=Termination Date".',
)
@click.option("--dry-run", is_flag=True, help="Show what would change without writing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def import_cmd(
    app: App,
    file: Path,
    full: bool,
    max_leaving: float,
    column_map: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Import the HR feed (CSV: email,name[,department,manager,kind,status,end_date,start_date,
    personal_email,personal_phone])."""
    from accessguard.inventory.csvinput import parse_column_map
    from accessguard.inventory.importers import (
        FIELD_ALIASES,
        PEOPLE_COLUMNS,
        PEOPLE_OPTIONAL,
        FeedOptions,
        import_feed,
    )

    fields = [*PEOPLE_COLUMNS, *PEOPLE_OPTIONAL]
    mapping = parse_column_map(column_map, fields, aliases=FIELD_ALIASES) if column_map else None
    options = FeedOptions(full=full, max_leaving=max_leaving, mapping=mapping, dry_run=dry_run)
    with app.begin() as conn:
        result = import_feed(conn, app.clock, app.actor, file, options)
    if as_json:
        emit_json(result.to_dict())
        return
    for change in result.changes:
        click.echo(change.describe())
    summary = ", ".join(f"{n} {name}" for name, n in result.counts.items())
    info(f"{summary}{' (dry run: nothing written)' if dry_run else ''}")


@people.command("rehire")
@click.argument("email")
@click.option(
    "--start", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD)."
)
@click.option("--end-date", type=click.DateTime(["%Y-%m-%d"]), help="Contract end date, if any.")
@pass_app
def rehire_cmd(app: App, email: str, start: object, end_date: object) -> None:
    """Start a new employment for a departed person; the old one stays as history."""
    from accessguard.inventory.people import rehire

    first: date = start.date()  # type: ignore[attr-defined]
    last = end_date.date() if end_date else None  # type: ignore[attr-defined]
    with app.begin() as conn:
        person = rehire(conn, app.clock, app.actor, email, start=first, end_date=last)
    info(f"{person.email} rehired from {first.isoformat()}: {person.status}")


@people.command("history")
@click.argument("email")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def history_cmd(app: App, email: str, as_json: bool) -> None:
    """A person's employments, each with the grants held during it."""
    from accessguard.inventory.people import employment_history

    with app.begin() as conn:
        data = employment_history(conn, email)
    if as_json:
        emit_json(data)
        return
    for job in data["employments"]:
        click.echo(
            f"employment {job['number']}: {job['status']}, start {job['start_date'] or '-'},"
            f" end {job['end_date'] or '-'}{'' if job['current'] else ', closed ' + cell(job['closed_at'])}"
        )
        table(
            ["account", "role", "via", "granted_at", "revoked_at"],
            [
                [g["account"], g["role"], g["via"], g["granted_at"], g["revoked_at"]]
                for g in job["grants"]
            ],
        )
