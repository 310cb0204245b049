"""Build benchmark worlds: a leaver exposed to N shared logins in Vault, or many leavers on SCIM."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import date
from pathlib import Path

import requests

from accessguard.app import App
from accessguard.config import load_settings
from accessguard.credentials.store import LoginValues, set_credential
from accessguard.credentials.vault_setup import bootstrap_vault
from accessguard.db.engine import make_engine
from accessguard.db.migrate import upgrade
from accessguard.inventory.accounts import AccountInput, add_account
from accessguard.inventory.grants import add_grant
from accessguard.inventory.people import PersonInput, add_person
from accessguard.inventory.records import get_account_record
from accessguard.secret import Secret
from accessguard.vault.facade import open_vault


def _app(db: Path, addr: str, token: str, prefix: str) -> App:
    url = f"sqlite:///{db}"
    upgrade(make_engine(url))
    settings = load_settings(overrides={"database.url": url, "actor": "bench@example.com"})
    settings = dataclasses.replace(
        settings, vault=dataclasses.replace(settings.vault, prefix=prefix, addr=addr)
    )
    return App(settings=settings)


def shared_login_world(db: Path, *, addr: str, token: str, accounts: int) -> dict[str, str]:
    """One leaver holding shared logins on ``accounts`` accounts, each with a secret in Vault.

    Returns the environment a CLI process needs (Vault address, token, prefix).
    """
    prefix = f"b{uuid.uuid4().hex[:8]}"
    app = _app(db, addr, token, prefix)
    vault = open_vault(app, token=Secret(token))
    with app.begin() as session:
        add_person(session, app.clock, "bench", PersonInput("leaver@example.com", "Lee Leaver"))
        add_person(session, app.clock, "bench", PersonInput("owner@example.com", "Olive Owner"))
        for i in range(accounts):
            add_account(
                session,
                app.clock,
                "bench",
                AccountInput(f"x-{i:04d}", "x", f"@brand{i}", owner_email="owner@example.com"),
            )
            add_grant(
                session,
                app.clock,
                "bench",
                person_email="leaver@example.com",
                account_ref=f"x-{i:04d}",
                role="editor",
                via="shared-login",
            )
    with app.begin() as conn:
        bootstrap_vault(conn, app.clock, vault=vault, actor="bench")
    with app.begin() as conn:
        for i in range(accounts):
            values = LoginValues(
                {"username": Secret(f"brand{i}"), "password": Secret(f"initial-{uuid.uuid4().hex}")}
            )
            account = get_account_record(conn, f"x-{i:04d}")
            set_credential(
                conn, app.clock, vault=vault, account=account, values=values, actor="bench"
            )
    vault.close()
    app.engine.dispose()
    return {"VAULT_ADDR": addr, "VAULT_TOKEN": token, "ACCESSGUARD_VAULT_PREFIX": prefix}


def scim_leavers_world(
    db: Path, *, addr: str, token: str, scim_url: str, scim_token: str, leavers: int
) -> dict[str, str]:
    """``leavers`` people whose end date has passed, each with a seat on a SCIM-provisioned suite."""
    prefix = f"m{uuid.uuid4().hex[:8]}"
    app = _app(db, addr, token, prefix)
    vault = open_vault(app, token=Secret(token))
    http = requests.Session()
    headers = {"Authorization": f"Bearer {scim_token}", "Content-Type": "application/scim+json"}
    with app.begin() as session:
        add_person(session, app.clock, "bench", PersonInput("owner@example.com", "Olive Owner"))
        add_account(
            session, app.clock, "bench",
            AccountInput("hootsuite", "hootsuite", "northwind", owner_email="owner@example.com", connector="scim", settings={"base_url": scim_url}),
        )  # fmt: skip
        add_grant(
            session,
            app.clock,
            "bench",
            person_email="owner@example.com",
            account_ref="hootsuite",
            role="admin",
            via="suite-seat",
        )
        for i in range(leavers):
            email = f"leaver{i:04d}@example.com"
            add_person(
                session,
                app.clock,
                "bench",
                PersonInput(email, f"Leaver {i}", end_date=date(2026, 1, 31), status="leaving"),
            )
            add_grant(
                session,
                app.clock,
                "bench",
                person_email=email,
                account_ref="hootsuite",
                role="editor",
                via="suite-seat",
            )
            body = {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": email,
                "active": True,
            }
            http.post(
                f"{scim_url}/Users", data=json.dumps(body), headers=headers, timeout=10
            ).raise_for_status()
    with app.begin() as conn:
        bootstrap_vault(conn, app.clock, vault=vault, actor="bench")
    vault.kv.write(f"{prefix}/connectors/hootsuite", {"token": Secret(scim_token)}, cas=0)
    vault.close()
    app.engine.dispose()
    return {"VAULT_ADDR": addr, "VAULT_TOKEN": token, "ACCESSGUARD_VAULT_PREFIX": prefix}
