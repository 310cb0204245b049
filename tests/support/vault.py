"""Wire an App to the session's OpenBao dev server, isolated per test.

Usage in a test (``app``, ``openbao`` and ``monkeypatch`` are ordinary fixtures)::

    from support.vault import vault_app, rebootstrap

    def test_something(app, openbao, monkeypatch):
        app = vault_app(app, openbao, monkeypatch)   # same App object, now Vault-ready
        ... add accounts ...
        rebootstrap(app, openbao)                     # groups/policies for new accounts
        vault = open_vault(app)                       # the tool's (non-root) token

What ``vault_app`` does: picks a unique ``[vault].prefix`` (so KV paths, TOTP key names,
policies and groups never collide between tests; the ``secret/``, ``totp/`` and
``userpass/`` mounts are shared), runs ``vault bootstrap`` with the root token, then
sets ``VAULT_ADDR``/``VAULT_TOKEN`` (a token holding only the shipped tool policy,
unless ``tool_token=False``) and ``ACCESSGUARD_VAULT_PREFIX`` with ``monkeypatch``,
so CLI invocations through ``CliRunner`` see the same Vault and prefix; and gives the
App the Vault-backed audit hooks (keyed chain, checkpoint), as the CLI's App has.

For a SQLite-only App through ``vault_app``, a module declares its own fixture::

    @pytest.fixture
    def vapp(sqlite_url, clock, openbao, monkeypatch):
        yield from sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch)
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from accessguard.app import App
from accessguard.clock import FixedClock
from accessguard.config import load_settings
from accessguard.credentials.store import parse_login, set_credential
from accessguard.credentials.vault_setup import bootstrap_vault
from accessguard.inventory.accounts import AccountInput, add_account
from accessguard.inventory.grants import add_grant
from accessguard.inventory.people import PersonInput, add_person
from accessguard.inventory.records import get_account_record
from accessguard.secret import Secret
from accessguard.vault.facade import Vault, open_vault
from support.servers import OpenBao


def sqlite_vault_app(
    sqlite_url: str, clock: FixedClock, openbao: OpenBao, monkeypatch: pytest.MonkeyPatch
) -> Iterator[App]:
    """An App on SQLite only, already through ``vault_app`` (for a module's own fixture)."""
    application = App(settings=load_settings(overrides={"database.url": sqlite_url}), clock=clock)
    yield vault_app(application, openbao, monkeypatch)
    application.engine.dispose()


def admin_vault(app: App, openbao: OpenBao) -> Vault:
    """A facade holding the root token (for bootstrap and for inspecting Vault in asserts)."""
    return open_vault(app, token=Secret(openbao.token))


def rebootstrap(app: App, openbao: OpenBao) -> None:
    """Run bootstrap again with the root token (after adding accounts)."""
    with app.begin() as conn:
        bootstrap_vault(conn, app.clock, vault=admin_vault(app, openbao), actor="bootstrap")


def vault_app(
    app: App, openbao: OpenBao, monkeypatch: pytest.MonkeyPatch, *, tool_token: bool = True
) -> App:
    """Point ``app`` (and the environment) at OpenBao with a fresh prefix, bootstrapped."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    app.settings = dataclasses.replace(
        app.settings, vault=dataclasses.replace(app.settings.vault, prefix=prefix, addr="")
    )
    monkeypatch.setenv("ACCESSGUARD_VAULT_PREFIX", prefix)
    monkeypatch.setenv("VAULT_ADDR", openbao.addr)
    monkeypatch.setenv("VAULT_TOKEN", openbao.token)
    rebootstrap(app, openbao)
    if tool_token:
        admin = admin_vault(app, openbao)
        created = admin.write(
            "auth/token/create",
            {"policies": [admin.paths.tool_policy()], "ttl": "2h", "no_default_policy": True},
            what="create a tool token",
        )
        assert created is not None
        monkeypatch.setenv("VAULT_TOKEN", created["auth"]["client_token"])
    from accessguard.vault.audit_store import vault_audit

    # Keyed and anchored from here on, as the CLI is (events so far are "before keying").
    app.audit = vault_audit(app)
    return app


def seed_inventory(
    app: App,
    openbao: OpenBao,
    *,
    people: tuple[str, ...] = ("tester@example.com",),
    accounts: tuple[tuple[str, str], ...] = (("brand-x", "x"),),
    shared: tuple[tuple[str, str], ...] = (),
) -> None:
    """Add people, accounts and shared-login grants, then bootstrap groups for the accounts."""
    with app.begin() as session:
        for email in people:
            add_person(session, app.clock, "setup", PersonInput(email, email.split("@")[0]))
        for name, platform in accounts:
            add_account(session, app.clock, "setup", AccountInput(name, platform, f"@{name}"))
        for email, account in shared:
            add_grant(
                session,
                app.clock,
                "setup",
                person_email=email,
                account_ref=account,
                role="editor",
                via="shared-login",
            )
    rebootstrap(app, openbao)


def store_login(app: App, vault: Vault, account: str, login: dict[str, Any]) -> None:
    """Store ``login`` (username, password, ...) as ``account``'s shared login, as a user would."""
    with app.begin() as conn:
        set_credential(
            conn,
            app.clock,
            vault=vault,
            account=get_account_record(conn, account),
            values=parse_login(json.dumps(login)),
            actor="tester@example.com",
        )


def store_token(openbao: OpenBao, prefix: str, name: str, token: str) -> None:
    """Write an account connector's token where it is read (root token, straight to Vault)."""
    import requests

    response = requests.post(
        f"{openbao.addr}/v1/secret/data/{prefix}/connectors/accounts/{name}",
        headers={"X-Vault-Token": openbao.token},
        json={"data": {"token": token}},
        timeout=5,
    )
    assert response.status_code == 200, response.text
