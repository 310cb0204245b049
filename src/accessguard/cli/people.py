"""`people`: add, update, list, show, import the HR feed, mark leavers, cancel a leave, rehire."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from accessguard.app import App
from accessguard.cli.context import pass_app
from accessguard.cli.option_names import (
    DATE,
    DATE_TYPE,
    Aliased,
    Decorator,
)
from accessguard.cli.options import reason_option
from accessguard.cli.output import cell, emit_json, info, table
from accessguard.cli.updates import change_options, report_change
from accessguard.inventory.vocab import PERSON_KINDS, PERSON_STATUSES

if TYPE_CHECKING:
    from accessguard.inventory.records import PersonRecord


@click.group("people")
def people() -> None:
    """People who can hold access: employees, contractors, agencies."""


def _day(value: Any) -> date | None:
    """A click.DateTime value (or None) as a date."""
    return value.date() if value is not None else None


def _department_option() -> Decorator:
    return click.option("--department", "--team", "department", cls=Aliased, help="Department.")


def _manager_option() -> Decorator:
    return click.option("--manager", metavar="PERSON", help="Manager's email.")


def _until_option(help: str) -> Decorator:
    return click.option(
        "--until", "--end-date", "end_date", cls=Aliased, type=DATE_TYPE, metavar=DATE, help=help
    )


def _show_person(person: PersonRecord, as_json: bool, message: str) -> None:
    """A person after a change: JSON on stdout, or the message on stderr."""
    from accessguard.inventory.records import person_to_dict

    if as_json:
        emit_json(person_to_dict(person))
    info(message)


def _new_person(*_: Any) -> list[str]:
    """Completion for a person not yet in the inventory: no existing email fits."""
    return []


@people.command("add")
@click.argument("person", shell_complete=_new_person)
@click.option("--name", required=True, help="Full name.")
@_department_option()
@_manager_option()
@click.option(
    "--kind",
    type=click.Choice(PERSON_KINDS),
    default="employee",
    show_default=True,
)
@_until_option("Contract or employment end date.")
@click.option("--json", "as_json", is_flag=True, help="Print the new person as JSON.")
@pass_app
def add(
    app: App,
    person: str,
    name: str,
    department: str | None,
    manager: str | None,
    kind: str,
    end_date: Any,
    as_json: bool,
) -> None:
    """Add PERSON (their work email)."""
    from accessguard.inventory.people import PersonInput, add_person

    data = PersonInput(person, name, department, manager, kind, end_date=_day(end_date))
    with app.begin() as conn:
        added = add_person(conn, app.clock, app.actor, data)
    _show_person(added, as_json, f"added {added.email}")


@people.command("update")
@click.argument("person")
@click.option("--name", help="Full name.")
@_department_option()
@_manager_option()
@click.option("--kind", type=click.Choice(PERSON_KINDS))
@_until_option("Contract or employment end date (an active person's).")
@click.option("--no-end-date", is_flag=True, help="Clear the end date.")
@change_options()
@pass_app
def update_cmd(
    app: App,
    person: str,
    name: str | None,
    department: str | None,
    manager: str | None,
    kind: str | None,
    end_date: Any,
    no_end_date: bool,
    reason: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Change what `people add` set for PERSON; an empty value ("") clears an optional field."""
    from accessguard.inventory.person_changes import (
        PersonUpdate,
        plan_person_update,
        update_person,
    )

    change = PersonUpdate(name, department, manager, kind, _day(end_date), no_end_date)
    with app.begin() as conn:
        found, values = plan_person_update(conn, person, change)
        diff = update_person(
            conn, app.clock, app.actor, found, values, reason=reason, dry_run=dry_run
        )
    report_change("person", found.email, diff, dry_run=dry_run, as_json=as_json, done="updated")


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
@click.argument("person")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def show(app: App, person: str, as_json: bool) -> None:
    """Show PERSON and what they hold."""
    from accessguard.inventory.grants import holdings
    from accessguard.inventory.personal import person_contacts
    from accessguard.inventory.records import get_person_record, person_to_dict

    with app.begin() as conn:
        found = get_person_record(conn, person)
        data = person_to_dict(found) | person_contacts(found)
        data["grants"] = holdings(conn, found.email)
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
@click.argument("person")
@click.option("--on", "on", required=True, type=DATE_TYPE, metavar=DATE, help="Last day.")
@reason_option()
@click.option("--json", "as_json", is_flag=True, help="Print the person as JSON.")
@pass_app
def leave(app: App, person: str, on: Any, reason: str | None, as_json: bool) -> None:
    """Mark PERSON as leaving on a date (departed if it has passed)."""
    from accessguard.inventory.people import mark_leaving

    day: date = on.date()
    with app.begin() as conn:
        found = mark_leaving(conn, app.clock, app.actor, person, day, reason=reason)
    _show_person(found, as_json, f"{found.email} is {found.status} (end date {day.isoformat()})")


@people.command("cancel-leave")
@click.argument("person")
@change_options()
@pass_app
def cancel_leave_cmd(
    app: App, person: str, reason: str | None, dry_run: bool, as_json: bool
) -> None:
    """Make PERSON, marked leaving by mistake, active again (refused once they have departed)."""
    from accessguard.inventory.person_changes import cancel_leave, plan_cancel_leave

    with app.begin() as conn:
        found = plan_cancel_leave(conn, person)
        diff = cancel_leave(conn, app.clock, app.actor, found, reason=reason, dry_run=dry_run)
    done = "active again (leave cancelled)"
    report_change("person", found.email, diff, dry_run=dry_run, as_json=as_json, done=done)


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
@click.argument("person")
@click.option(
    "--on",
    "--start",
    "start",
    cls=Aliased,
    required=True,
    type=DATE_TYPE,
    metavar=DATE,
    help="First day of the new employment.",
)
@_until_option("Contract end date, if any.")
@click.option("--json", "as_json", is_flag=True, help="Print the person as JSON.")
@pass_app
def rehire_cmd(app: App, person: str, start: Any, end_date: Any, as_json: bool) -> None:
    """Start a new employment for PERSON, who has departed; the old one stays as history."""
    from accessguard.inventory.people import rehire

    first: date = start.date()
    with app.begin() as conn:
        found = rehire(conn, app.clock, app.actor, person, start=first, end_date=_day(end_date))
    _show_person(found, as_json, f"{found.email} rehired from {first.isoformat()}: {found.status}")


@people.command("history")
@click.argument("person")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def history_cmd(app: App, person: str, as_json: bool) -> None:
    """PERSON's employments, each with the grants held during it."""
    from accessguard.inventory.people import employment_history

    with app.begin() as conn:
        data = employment_history(conn, person)
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
