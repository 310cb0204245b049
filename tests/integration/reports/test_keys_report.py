"""The keys report: who can read each shared login, who saw its current version, where the seed is."""

from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import insert, select, update

from accessguard.app import App
from accessguard.cli.main import cli
from accessguard.db import tables
from support import rows as factories


def test_keys_report(findings_app: App) -> None:
    app = findings_app
    now = app.clock.now()
    with app.begin() as conn:
        old = factories.account_id(conn, "brand-old")
        cred = conn.execute(
            select(tables.credentials).where(tables.credentials.c.account_id == old)
        ).one()
        members = tables.vault_memberships
        for email in ("ann@example.com", "bob@example.com"):
            person = factories.person_id(conn, email)
            conn.execute(insert(members).values(person_id=person, account_id=old, added_at=now))
        conn.execute(
            insert(members).values(
                person_id=factories.person_id(conn, "gone@example.com"), account_id=old,
                added_at=now - timedelta(days=9), removed_at=now - timedelta(days=1),
            )
        )  # fmt: skip
        for version in (cred.current_version, cred.current_version - 1):
            email = "bob@example.com" if version == 2 else "gone@example.com"
            conn.execute(
                insert(tables.exposures).values(
                    person_id=factories.person_id(conn, email),
                    credential_id=cred.id, kind="reveal", version=version, occurred_at=now,
                )
            )  # fmt: skip
        conn.execute(
            update(tables.totp_keys)
            .where(tables.totp_keys.c.account_id == old)
            .values(exported=True, exported_by="ann@example.com")
        )
    result = CliRunner().invoke(
        cli, ["--db", app.settings.database_url, "report", "keys", "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    rows = {r["account"]: r for r in json.loads(result.output)}
    assert set(rows) == {"brand-main", "brand-old", "brand-pending"}
    row = rows["brand-old"]
    assert [r["person"] for r in row["readers"]] == ["ann@example.com", "bob@example.com"]
    assert [s["person"] for s in row["seen_current_version_by"]] == ["bob@example.com"]
    assert row["age_days"] == 400 and row["current_version"] == 2
    assert row["totp"]["in_vault"] and "exported by ann@example.com" in row["totp"]["where"]
    text = CliRunner().invoke(cli, ["--db", app.settings.database_url, "report", "keys"]).output
    assert "brand-old" in text and "bob@example.com" in text
