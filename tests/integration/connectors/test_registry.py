"""Which connector an account gets, with secrets from Vault (real OpenBao) or the keyring; plugins."""

from __future__ import annotations

import sys
import textwrap
import uuid
from pathlib import Path

import keyring
import pytest
import requests
from keyring.backend import KeyringBackend

from accessguard.app import App
from accessguard.config import load_settings
from accessguard.connectors.meta import MetaConnector
from accessguard.connectors.registry import (
    available,
    build_connector,
    build_notifier,
    connector_class,
)
from accessguard.connectors.scim import ScimConnector
from accessguard.errors import ConfigError
from accessguard.reconcile.records import ConnectedAccount


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.values.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def account(
    name: str, platform: str, connector: str | None = None, **settings: object
) -> ConnectedAccount:
    return ConnectedAccount(0, name, platform, name, connector, dict(settings))


def plain_app() -> App:
    return App(settings=load_settings())


def test_builtins_are_available() -> None:
    names = set(available())
    assert {
        "scim",
        "meta",
        "pinterest",
        "tiktok",
        "google_business_profile",
        "linkedin",
        "reddit",
        "okta",
        "webhook",
        "slack",
        "jira",
        "manual",
    } <= names


def test_platform_defaults_and_manual_accounts(memory_keyring) -> None:
    app = plain_app()
    memory_keyring.set_password(
        "accessguard", "connectors/accounts/brand-fb", "meta-token-from-keyring"
    )
    built = build_connector(app, account("brand-fb", "facebook", business_id="1"))
    assert (
        isinstance(built, MetaConnector)
        and built.secrets["token"].reveal() == "meta-token-from-keyring"
    )
    assert build_connector(app, account("brand-x", "x")) is None
    assert build_connector(app, account("brand-yt", "youtube")) is None
    assert build_connector(app, account("blog", "other")) is None
    with pytest.raises(ConfigError, match="unknown connector 'nope'"):
        build_connector(app, account("odd", "other", connector="nope"))


def test_keyring_json_holds_several_secrets(memory_keyring) -> None:
    memory_keyring.set_password(
        "accessguard",
        "connectors/notifiers/it-hook",
        '{"url": "https://hooks.example.com/x", "hmac_key": "k-123456"}',
    )
    notifier = build_notifier(plain_app(), "webhook", name="it-hook")
    assert set(notifier.secrets) == {"url", "hmac_key"}
    with pytest.raises(ConfigError, match="not a notifier"):
        build_notifier(plain_app(), "scim", name="it-hook")


def test_secrets_come_from_vault(openbao, monkeypatch, memory_keyring) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("VAULT_ADDR", openbao.addr)
    monkeypatch.setenv("VAULT_TOKEN", openbao.token)
    monkeypatch.setenv("ACCESSGUARD_VAULT_PREFIX", prefix)
    written = requests.post(
        f"{openbao.addr}/v1/secret/data/{prefix}/connectors/accounts/suite",
        headers={"X-Vault-Token": openbao.token},
        json={"data": {"token": "scim-token-from-vault"}},
        timeout=5,
    )
    assert written.status_code == 200, written.text
    memory_keyring.set_password("accessguard", "connectors/accounts/suite", "keyring-loses")
    built = build_connector(
        plain_app(), account("suite", "hootsuite", base_url="http://127.0.0.1:1")
    )
    assert isinstance(built, ScimConnector)
    assert built.secrets["token"].reveal() == "scim-token-from-vault"
    assert "scim-token-from-vault" not in repr(built.secrets)
    # No secret anywhere: building works, using it names where to put the token.
    empty = build_connector(
        plain_app(), account("other-suite", "hootsuite", base_url="http://127.0.0.1:1")
    )
    with pytest.raises(ConfigError) as info:
        empty.check()
    assert "connectors/accounts/other-suite" in (info.value.hint or "")


def test_entry_point_connectors(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "acme_connector.py").write_text(
        textwrap.dedent(
            """
            from accessguard.connectors.base import Connector
            from accessguard.results import ActionResult

            class AcmeConnector(Connector):
                name = "acme"
                def list_holders(self):
                    return []
                def revoke(self, target):
                    return ActionResult.unchanged("acme")
                def check(self):
                    return ActionResult.unchanged("acme ok")
            """
        )
    )
    dist = tmp_path / "acme_connector-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-connector\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[accessguard.connectors]\nacme = acme_connector:AcmeConnector\nscim = acme_connector:AcmeConnector\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    classes = available()
    assert classes["acme"].__name__ == "AcmeConnector"
    assert classes["scim"] is ScimConnector  # a plugin cannot shadow a built-in
    assert connector_class("acme") is classes["acme"]
    built = build_connector(plain_app(), account("wiki", "other", connector="acme"))
    assert built is not None and built.check().message == "acme ok"
    sys.modules.pop("acme_connector", None)
