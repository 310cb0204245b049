"""`init` and `db upgrade`: create the config file and bring the schema to head."""

from __future__ import annotations

from pathlib import Path

import click

from accessguard.app import App
from accessguard.cli.context import pass_app
from accessguard.cli.output import emit_json, info


@click.command("init")
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def init_cmd(app: App, force: bool, as_json: bool) -> None:
    """Create the config file (0600) and the database schema."""
    from accessguard.config import DEFAULT_CONFIG
    from accessguard.files import write_private

    path = Path(app.settings.config_path)
    created = False
    if force or not path.exists():
        write_private(path, DEFAULT_CONFIG)
        created = True
    app.upgrade_schema()
    result = {"config": str(path), "config_created": created, "database": _safe_url(app)}
    if as_json:
        emit_json(result)
    else:
        info(f"config: {path} ({'created' if created else 'kept'})")
        info(f"database: {result['database']} (schema at head)")


def _safe_url(app: App) -> str:
    from accessguard.db.engine import safe_url

    return safe_url(app.settings.database_url)


@click.group("db")
def db_group() -> None:
    """Database schema migrations."""


@db_group.command("upgrade")
@pass_app
def db_upgrade(app: App) -> None:
    """Apply every pending migration (safe to repeat)."""
    app.upgrade_schema()
    from accessguard.db.migrate import current_revision

    info(f"database {_safe_url(app)} at revision {current_revision(app.engine)}")


@db_group.command("current")
@click.option("--json", "as_json", is_flag=True, help="Print the database and its revision.")
@pass_app
def db_current(app: App, as_json: bool) -> None:
    """Print the schema revision the database is at (and, with -o json, the database)."""
    from accessguard.db.migrate import current_revision

    app.require_database()
    revision = current_revision(app.engine)
    if as_json:
        emit_json({"database": _safe_url(app), "revision": revision})
    else:
        click.echo(revision or "none")
