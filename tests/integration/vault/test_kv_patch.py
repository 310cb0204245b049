"""Rotation writes by KV merge patch (one round trip), and still works for older policies."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
import requests

from accessguard.app import App
from accessguard.credentials.rotation import rotate
from accessguard.inventory.records import get_account_record
from accessguard.results import Outcome
from accessguard.secret import Secret
from accessguard.vault.facade import Vault, open_vault
from accessguard.vault.policies import tool_policy_text
from support.vault import admin_vault, seed_inventory, sqlite_vault_app, store_login

OLD = "Old-Passw0rd-canary-2"


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    """An SQLite App wired to OpenBao with a fresh prefix and a tool-policy token."""
    yield from sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch)


def _store_and_tag(app: App, openbao) -> str:
    """brand-x's login in Vault, plus a custom_metadata key another team set on it."""
    seed_inventory(app, openbao)
    vault = open_vault(app)
    store_login(app, vault, "brand-x", {"username": "brandx", "password": OLD})
    path = vault.paths.secret("brand-x")
    admin_vault(app, openbao).kv.set_custom_metadata(path, {"owner_team": "social"})
    return path


def _rotate(app: App, vault: Vault) -> Outcome:
    with app.begin() as conn:
        result = rotate(
            conn,
            app.clock,
            vault=vault,
            account=get_account_record(conn, "brand-x"),
            actor="t",
            reason="r",
        )
    return result.outcome


def _check_rotated(app: App, openbao, path: str) -> None:
    admin = admin_vault(app, openbao)
    new = admin.kv.read(path)
    assert new.version == 2
    assert new.values["username"].reveal() == "brandx"
    assert new.values["password"].reveal() not in (OLD, "")
    assert admin.kv.read(path, 1).values["password"].reveal() == OLD
    meta = admin.kv.metadata(path)
    assert meta is not None
    assert meta.custom_metadata["state"] == "pending"
    assert meta.custom_metadata["pending_version"] == "2"
    assert meta.custom_metadata["owner_team"] == "social"  # merged, not replaced


def _patch_status(addr: str, token: str, path: str) -> int:
    response = requests.patch(
        f"{addr}/v1/secret/data/{path}",
        json={"data": {"probe": "x"}, "options": {"cas": 99}},
        headers={"X-Vault-Token": token, "Content-Type": "application/merge-patch+json"},
        timeout=10,
    )
    return response.status_code


def test_the_shipped_policy_allows_patch_and_rotation_merges(vapp: App, openbao) -> None:
    path = _store_and_tag(vapp, openbao)
    vault = open_vault(vapp)
    token = vault.connection.token
    assert token is not None
    # The tool token may PATCH (refused only for the wrong check-and-set version: 400).
    assert _patch_status(openbao.addr, token.reveal(), path) == 400
    assert _rotate(vapp, vault) is Outcome.CHANGED
    _check_rotated(vapp, openbao, path)


def test_a_policy_without_patch_falls_back_to_read_and_write(vapp: App, openbao) -> None:
    path = _store_and_tag(vapp, openbao)
    admin = admin_vault(vapp, openbao)
    old_policy = tool_policy_text(admin.paths).replace(', "patch"', "")
    assert '"patch"' not in old_policy
    admin.sys.write_policy("ag-test-nopatch", old_policy)
    created = admin.write(
        "auth/token/create",
        {"policies": ["ag-test-nopatch"], "ttl": "1h", "no_default_policy": True},
        what="create a token",
    )
    assert created is not None
    token = created["auth"]["client_token"]
    assert _patch_status(openbao.addr, token, path) == 403
    vault = open_vault(vapp, token=Secret(token))
    assert _rotate(vapp, vault) is Outcome.CHANGED
    _check_rotated(vapp, openbao, path)


def test_an_environment_proxy_carries_the_requests(vapp: App, openbao, monkeypatch) -> None:
    """With HTTP_PROXY set, every request goes through the proxy, as requests does it.

    The address is one only the proxy can reach (``.invalid`` never resolves); the
    "proxy" is OpenBao itself: Go's HTTP server also answers absolute-form requests.
    """
    path = _store_and_tag(vapp, openbao)
    # A plain-http address off loopback: the config file has to allow it.
    vault_settings = dataclasses.replace(vapp.settings.vault, allow_http=True)
    monkeypatch.setattr(vapp, "settings", dataclasses.replace(vapp.settings, vault=vault_settings))
    monkeypatch.setenv("VAULT_ADDR", "http://vault.invalid:8200")
    monkeypatch.setenv("HTTP_PROXY", openbao.addr)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert _rotate(vapp, open_vault(vapp)) is Outcome.CHANGED
    _check_rotated(vapp, openbao, path)
