"""Vault connection settings: plain http only to loopback unless the config file allows
it, VAULT_* TLS variables read as the Vault CLI reads them (issue 16 item 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessguard.config import VaultSettings, load_settings
from accessguard.errors import ConfigError
from accessguard.vault.connection import Connection, resolve


def _resolve(addr: str, **env: str) -> Connection:
    return resolve(VaultSettings(), environ={"VAULT_ADDR": addr, **env}, use_keyring=False)


@pytest.mark.parametrize(
    "addr",
    [
        "http://127.0.0.1:8200",
        "http://127.3.4.5:8200",
        "http://[::1]:8200",
        "http://localhost:8200",
    ],
)
def test_plain_http_to_loopback_is_allowed(addr: str) -> None:
    assert _resolve(addr).addresses == (addr,)


@pytest.mark.parametrize(
    "addr",
    ["http://vault.example.com:8200", "http://10.0.0.5:8200", "http://127.0.0.1.nip.io:8200"],
)
def test_plain_http_off_loopback_is_refused(addr: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _resolve(addr)
    assert caught.value.code == "vault-plain-http"
    assert addr in caught.value.message
    assert "\n" not in caught.value.message


def test_one_plain_http_address_among_several_is_refused() -> None:
    with pytest.raises(ConfigError):
        _resolve("https://a.example.com:8200,http://b.example.com:8200")


def test_allow_http_in_the_config_file_allows_it(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[vault]\nallow_http = true\n", encoding="utf-8")
    settings = load_settings(config, environ={})
    connection = resolve(
        settings.vault, environ={"VAULT_ADDR": "http://vault.lan:8200"}, use_keyring=False
    )
    assert connection.addresses == ("http://vault.lan:8200",)


def test_allow_http_from_the_environment_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path / "none.toml", environ={"ACCESSGUARD_VAULT_ALLOW_HTTP": "true"})
    assert caught.value.code == "config-file-only"


@pytest.mark.parametrize(("value", "verify"), [("1", False), ("true", False), ("false", True)])
def test_vault_skip_verify(value: str, verify: bool) -> None:
    connection = _resolve("https://vault.example.com", VAULT_SKIP_VERIFY=value)
    assert connection.verify is verify


def test_vault_skip_verify_nonsense_is_an_error() -> None:
    with pytest.raises(ConfigError):
        _resolve("https://vault.example.com", VAULT_SKIP_VERIFY="maybe")


def test_cacert_wins_over_capath(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("x", encoding="utf-8")
    connection = _resolve(
        "https://vault.example.com", VAULT_CACERT=str(ca), VAULT_CAPATH=str(tmp_path)
    )
    assert connection.ca_path == str(ca)


def test_missing_cacert_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        _resolve("https://vault.example.com", VAULT_CACERT=str(tmp_path / "gone.pem"))
    assert "VAULT_CACERT" in caught.value.message


def test_client_cert_and_key_go_together(tmp_path: Path) -> None:
    cert = tmp_path / "c.pem"
    key = tmp_path / "k.pem"
    cert.write_text("x", encoding="utf-8")
    key.write_text("x", encoding="utf-8")
    both = _resolve(
        "https://vault.example.com", VAULT_CLIENT_CERT=str(cert), VAULT_CLIENT_KEY=str(key)
    )
    assert both.client_cert == (str(cert), str(key))
    with pytest.raises(ConfigError):
        _resolve("https://vault.example.com", VAULT_CLIENT_CERT=str(cert))
