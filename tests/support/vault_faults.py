"""A leaver who could know many shared logins, and checks that each was rotated exactly once.

Used by the Vault fault and HA tests: ``seed_leaver`` fills the database and Vault (through
``support.vault.vault_app``), ``write_playbook`` writes a short playbook whose only Vault
work is rotating the exposed credentials, and ``assert_rotated_once`` compares the
database, Vault and the audit trail after the run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from accessguard.app import App
from accessguard.audit.chain import find_events
from accessguard.credentials.store import LoginValues, set_credential
from accessguard.db import tables
from accessguard.inventory.accounts import AccountInput, add_account
from accessguard.inventory.grants import add_grant
from accessguard.inventory.people import PersonInput, add_person
from accessguard.inventory.records import get_account_record
from accessguard.secret import Secret
from accessguard.vault.facade import Vault, open_vault
from support.vault import rebootstrap

LEAVER = "lee@example.com"
STEP = "rotate-shared-logins"
PLAYBOOK = f"""\
name: vault-faults
description: Rotate every shared login the leaver could know.
steps:
  - id: mark-leaving
    action: mark-leaving
  - id: {STEP}
    action: rotate-credential
    for_each: exposed_credentials
    on_failure: continue
  - id: mark-departed
    action: mark-departed
"""


def account_names(count: int) -> list[str]:
    """The shared accounts of the example."""
    return [f"acct-{i:02d}" for i in range(count)]


def write_playbook(directory: Path) -> Path:
    """The playbook file the tests run."""
    path = directory / "vault-faults.yaml"
    path.write_text(PLAYBOOK)
    return path


def seed_leaver(app: App, server: Any, count: int) -> None:
    """The leaver, ``count`` accounts whose shared login they hold, each login in Vault."""
    clock, actor = app.clock, "setup@example.com"
    with app.begin() as s:
        add_person(s, clock, actor, PersonInput(LEAVER, "Lee Leaver", department="Brand"))
        for name in account_names(count):
            add_account(s, clock, actor, AccountInput(name, "x", f"@{name}"))
            add_grant(
                s,
                clock,
                actor,
                person_email=LEAVER,
                account_ref=name,
                role="login",
                via="shared-login",
            )
    rebootstrap(app, server)
    vault = open_vault(app)
    with app.begin() as c:
        for name in account_names(count):
            values = {"username": Secret(f"{name}-user"), "password": Secret(f"{name}-pw-0")}
            account = get_account_record(c, name)
            set_credential(
                c, clock, vault=vault, account=account, values=LoginValues(values), actor=actor
            )


def assert_rotated_once(app: App, admin: Vault, run_id: str, count: int) -> None:
    """Every credential has exactly one new version, readable, and database and Vault agree."""
    with app.begin() as s:
        credentials, accounts = tables.credentials.c, tables.accounts.c
        creds = {
            row.name: row
            for row in s.execute(
                select(credentials.id, credentials.vault_path, credentials.current_version)
                .add_columns(credentials.state, accounts.name)
                .join(tables.accounts, accounts.id == credentials.account_id)
            )
        }
        assert sorted(creds) == account_names(count)
        for name, cred in creds.items():
            assert (cred.current_version, cred.state) == (2, "rotation-pending"), name
            cv = tables.credential_versions.c
            versions = [
                (version, key)
                for version, key in s.execute(
                    select(cv.version, cv.idempotency_key).where(cv.credential_id == cred.id)
                )
            ]
            key = f"{run_id}:{STEP}:credential-{cred.id}"
            assert sorted(versions) == [(1, None), (2, key)], (name, versions)
            meta = admin.kv.metadata(cred.vault_path)
            assert meta is not None and meta.current_version == 2, (name, meta)
            assert meta.custom_metadata.get("pending_version") == "2", (name, meta)
            new = admin.kv.read(cred.vault_path, 2)
            assert new.values["_idempotency_key"].reveal() == key
            assert new.values["password"].reveal() != f"{name}-pw-0"
            assert new.values["username"].reveal() == f"{name}-user"
        rotations = len(find_events(s, action="credential.rotate", run_id=run_id))
        assert rotations == count
        items = tables.run_items.c
        statuses = s.scalars(
            select(items.status).where(items.run_id == run_id, items.step_id == STEP)
        )
        assert sorted(set(statuses)) == ["waiting"]
