"""The keys report: who can read each shared login, who saw its current version, where the seed is."""

from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import select

from accessguard.app import App
from accessguard.cli.main import cli
from accessguard.credentials.models import Credential, Exposure, TotpKey, VaultMembership
from accessguard.inventory.models import Account, Person


def test_keys_report(findings_app: App) -> None:
    app = findings_app
    now = app.clock.now()
    with app.transaction() as session:
        people = {p.email: p.id for p in session.execute(select(Person)).scalars()}
        old = session.execute(select(Account).where(Account.name == "brand-old")).scalar_one()
        cred = session.execute(
            select(Credential).where(Credential.account_id == old.id)
        ).scalar_one()
        for email in ("ann@example.com", "bob@example.com"):
            session.add(VaultMembership(person_id=people[email], account_id=old.id, added_at=now))
        session.add(
            VaultMembership(
                person_id=people["gone@example.com"], account_id=old.id,
                added_at=now - timedelta(days=9), removed_at=now - timedelta(days=1),
            )
        )  # fmt: skip
        for version in (cred.current_version, cred.current_version - 1):
            session.add(
                Exposure(
                    person_id=people["bob@example.com" if version == 2 else "gone@example.com"],
                    credential_id=cred.id, kind="reveal", version=version, occurred_at=now,
                )
            )  # fmt: skip
        key = session.execute(select(TotpKey).where(TotpKey.account_id == old.id)).scalar_one()
        key.exported, key.exported_by = True, "ann@example.com"
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
