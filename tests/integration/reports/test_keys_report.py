"""The keys report: who can read each shared login, who saw its current version, where the seed is."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import insert, select, update

from accessguard.app import App
from accessguard.cli.main import cli
from accessguard.credentials.records import get_credential
from accessguard.db import tables
from accessguard.inventory.records import get_account_record


def test_keys_report(findings_app: App) -> None:
    app = findings_app
    now = app.clock.now()
    memberships, exposures, keys = tables.vault_memberships, tables.exposures, tables.totp_keys
    with app.begin() as conn:
        people = {
            email: id_
            for id_, email in conn.execute(select(tables.people.c.id, tables.people.c.email))
        }
        old = get_account_record(conn, "brand-old")
        cred = get_credential(conn, old)
        for email in ("ann@example.com", "bob@example.com"):
            conn.execute(
                insert(memberships).values(person_id=people[email], account_id=old.id, added_at=now)
            )
        conn.execute(
            insert(memberships).values(
                person_id=people["gone@example.com"], account_id=old.id,
                added_at=now - timedelta(days=9), removed_at=now - timedelta(days=1),
            )
        )  # fmt: skip
        for version in (cred.current_version, cred.current_version - 1):
            conn.execute(
                insert(exposures).values(
                    person_id=people["bob@example.com" if version == 2 else "gone@example.com"],
                    credential_id=cred.id, kind="reveal", version=version, occurred_at=now,
                )
            )  # fmt: skip
        conn.execute(
            update(keys)
            .where(keys.c.account_id == old.id)
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
    rotated = [r["last_rotated_at"] for r in rows.values() if r["last_rotated_at"]]
    assert rotated
    for when in rotated:  # the table writes the time as every table does, not a bare date
        shown = datetime.fromisoformat(when).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert shown in text
