"""Errors the operator sees: unreachable, failover, forbidden, sealed, keyring, unsafe paths."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from keyring.backend import KeyringBackend

from accessguard.app import App
from accessguard.config import VaultSettings
from accessguard.errors import (
    ConfigError,
    InputError,
    KeyringError,
    VaultForbiddenError,
    VaultSealedError,
    VaultUnavailableError,
)
from accessguard.secret import Secret
from accessguard.vault.connection import Connection, resolve
from accessguard.vault.facade import Vault, open_vault
from accessguard.vault.paths import VaultPaths, username_for
from support.servers import free_port, openbao_server
from support.vault import admin_vault, rebootstrap, sqlite_vault_app

PATHS = VaultPaths.from_settings(VaultSettings())


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    """An SQLite App wired to OpenBao with a fresh prefix and a tool-policy token."""
    yield from sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch)


@pytest.mark.parametrize(
    "name", ["../etc", "a/b", "/abs", "a..b", "", "UPPER", "x y", "..", "a/../../b", "é"]
)
def test_unsafe_account_names_never_become_paths(name: str) -> None:
    with pytest.raises(InputError):
        PATHS.secret(name)
    with pytest.raises(InputError):
        PATHS.totp_key(name, 1)


def test_safe_names_stay_under_the_prefix() -> None:
    assert PATHS.secret("brand.x_1-a") == "accessguard/brand.x_1-a"
    assert PATHS.secret_api_path("b") == "secret/data/accessguard/b"
    assert PATHS.login_prefix(username_for("Ann.O'Neil@Example.com")) == (
        "auth/userpass/login/ann.o-neil_at_example.com/"
    )
    with pytest.raises(ConfigError):
        VaultPaths.from_settings(VaultSettings(prefix="../x"))


def test_failover_to_the_next_address(vapp: App, openbao) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    vault = Vault(
        Connection((dead, openbao.addr), Secret(openbao.token), None, timeout=3),
        VaultPaths.from_settings(vapp.settings.vault),
    )
    assert vault.sys.health()["sealed"] is False
    assert vault.addr == openbao.addr


def test_unreachable_and_forbidden(vapp: App, openbao) -> None:
    paths = VaultPaths.from_settings(vapp.settings.vault)
    dead = Vault(Connection((f"http://127.0.0.1:{free_port()}",), Secret("x"), None, 2), paths)
    with pytest.raises(VaultUnavailableError) as exc:
        dead.kv.metadata(paths.secret("anything"))
    assert exc.value.hint
    bad = Vault(Connection((openbao.addr,), Secret("not-a-real-token"), None, 5), paths)
    with pytest.raises(VaultForbiddenError):
        bad.kv.read(paths.secret("brand-x"))
    # The tool's own token cannot write policies (that is bootstrap's admin job).
    with pytest.raises(VaultForbiddenError):
        open_vault(vapp).sys.write_policy("ag-escalate", 'path "*" { capabilities = ["sudo"] }')


def test_sealed_vault_is_reported() -> None:
    with openbao_server() as server:
        vault = Vault(
            Connection((server.addr,), Secret(server.token), None, 5),
            VaultPaths.from_settings(VaultSettings()),
        )
        vault.write("sys/seal", {}, what="seal")
        assert vault.sys.health()["sealed"] is True
        with pytest.raises(VaultSealedError) as exc:
            vault.kv.metadata("accessguard/x")
        assert "unseal" in (exc.value.hint or "")


def test_bootstrap_is_idempotent(vapp: App, openbao) -> None:
    from accessguard.credentials.vault_setup import bootstrap_vault

    with vapp.begin() as conn:
        report = bootstrap_vault(conn, vapp.clock, vault=admin_vault(vapp, openbao), actor="t")
    assert not report.changed


def test_token_sources(vapp: App, monkeypatch: pytest.MonkeyPatch, openbao) -> None:
    monkeypatch.delenv("VAULT_TOKEN")
    monkeypatch.delenv("VAULT_ADDR")
    monkeypatch.setenv("BAO_ADDR", f"{openbao.addr}, http://127.0.0.1:1")
    monkeypatch.setenv("BAO_TOKEN", "from-bao-env")
    conn = resolve(vapp.settings.vault)
    assert conn.addresses == (openbao.addr, "http://127.0.0.1:1")
    assert conn.token is not None and conn.token.reveal() == "from-bao-env"
    monkeypatch.delenv("BAO_TOKEN")
    with pytest.raises(ConfigError) as exc:
        open_vault(vapp)
    assert "accessguard login" in (exc.value.hint or "")


class _Memory(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


def test_login_stores_the_token_in_the_keyring(vapp: App, openbao, monkeypatch) -> None:
    import os

    import keyring
    from click.testing import CliRunner

    from accessguard.cli.main import cli

    tool_token = os.environ["VAULT_TOKEN"]
    monkeypatch.delenv("VAULT_TOKEN")
    monkeypatch.delenv("VAULT_ADDR")
    previous = keyring.get_keyring()
    memory = _Memory()
    keyring.set_keyring(memory)
    try:
        runner = CliRunner()
        url = vapp.settings.database_url
        result = runner.invoke(
            cli,
            ["--db", url, "login", "--addr", openbao.addr],
            input=tool_token + "\n",
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.stderr
        assert tool_token not in result.output + result.stderr
        assert memory.store[("accessguard", "vault-token")] == tool_token
        vault = open_vault(vapp)  # address and token from the keyring
        assert vault.sys.token_info()["policies"] == [vault.paths.tool_policy()]
        result = runner.invoke(cli, ["--db", url, "logout"], catch_exceptions=False)
        assert result.exit_code == 0 and not memory.store
    finally:
        keyring.set_keyring(previous)


def test_no_keyring_backend_is_a_clear_error(monkeypatch) -> None:
    import keyring
    from keyring.backends import fail

    from accessguard import secrets_store

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert secrets_store.get_value("vault-token") is None
        with pytest.raises(KeyringError) as exc:
            secrets_store.set_value("vault-token", Secret("t"))
        assert "VAULT_TOKEN" in (exc.value.hint or "")
    finally:
        keyring.set_keyring(previous)


def test_a_new_account_needs_bootstrap_for_its_group(vapp: App, openbao) -> None:
    from accessguard.credentials.identity import sync
    from accessguard.inventory.accounts import AccountInput, add_account

    with vapp.begin() as session:
        add_account(session, vapp.clock, "t", AccountInput("late-one", "x", "@late"))
    with vapp.begin() as conn:
        plan = sync(conn, vapp.clock, vault=open_vault(vapp), actor="t", dry_run=True)
    assert plan.missing_groups == [open_vault(vapp).paths.account_group("late-one")]
    rebootstrap(vapp, openbao)
    with vapp.begin() as conn:
        assert sync(conn, vapp.clock, vault=open_vault(vapp), actor="t").missing_groups == []


def test_token_with_a_line_break_fails_at_once_without_sending(vapp: App, openbao) -> None:
    import time

    vault = open_vault(vapp, token=Secret("bad-token\r\nX-Injected: yes"))
    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        vault.kv.read(vault.paths.secret("brand-x"))
    assert time.monotonic() - started < 5  # not retried for [vault].retry_seconds
    assert caught.value.code == "vault-header" and "\n" not in caught.value.message
    assert "bad-token" not in caught.value.message
