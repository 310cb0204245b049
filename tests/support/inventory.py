"""Helpers for inventory and audit tests: run the CLI, write CSVs, count rows."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from sqlalchemy import text

from accessguard.cli.main import cli
from accessguard.db.engine import make_engine

PEOPLE_HEADER = ("email", "name", "department", "manager", "kind", "status", "end_date")
TABLES = ("people", "accounts", "grants", "audit_events")


def invoke(url: str, *args: str) -> Result:
    """Run ``accessguard --db URL ARGS...`` in-process; stdout and stderr stay apart."""
    return CliRunner().invoke(cli, ["--db", url, *args], catch_exceptions=False)


def invoke_json(url: str, *args: str) -> Any:
    """Run a command with ``--json`` (appended) that must succeed; return parsed stdout."""
    result = invoke(url, *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    """Write a CSV file with a header row."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    return path


def counts(url: str) -> dict[str, int]:
    """Row counts of the inventory and audit tables."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t: int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()) for t in TABLES
            }
    finally:
        engine.dispose()


def execute(url: str, *statements: str, **params: Any) -> None:
    """Run raw SQL (tampering, set-up) in one committed transaction."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for sql in statements:
                conn.execute(text(sql), params)
    finally:
        engine.dispose()


def seed(url: str, tmp: Path) -> None:
    """A small inventory through the CLI: three people, two accounts, four grants."""
    people = write_csv(
        tmp / "seed-people.csv",
        PEOPLE_HEADER,
        [
            ("ann@example.com", "Ann Admin", "Social", None, "employee", None, None),
            ("bob@example.com", "Bob Editor", "Social", "ann@example.com", None, None, None),
            ("cy@agency.example", "Cy Agency", "Agency", "ann@example.com", "agency", None, None),
        ],
    )
    assert invoke(url, "people", "import", str(people)).exit_code == 0
    for args in (
        ("brand-x", "--platform", "x", "--handle", "BrandX"),
        ("brand-ig", "--platform", "instagram", "--handle", "brand", "--owner", "ann@example.com"),
    ):
        result = invoke(url, "accounts", "add", *args)
        assert result.exit_code == 0, result.stderr
    for person, account, role, via in (
        ("ann@example.com", "brand-x", "full-control", "shared-login"),
        ("bob@example.com", "brand-x", "full-control", "shared-login"),
        ("ann@example.com", "brand-ig", "admin", "platform-role"),
        ("cy@agency.example", "brand-ig", "advertiser", "platform-role"),
    ):
        result = invoke(url, "grant", person, account, "--role", role, "--via", via)
        assert result.exit_code == 0, result.stderr
