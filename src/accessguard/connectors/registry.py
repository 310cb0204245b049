"""Which connectors exist, and which one an account uses; builds them with their secrets.

Built-in connectors are named here; organisations add their own through the Python
entry-point group ``accessguard.connectors`` (``name = "package.module:Class"``). An
entry point may not shadow a built-in name.

The engine's ``revoke-access`` action calls ``build_connector(app, account)``: it
returns None when the account has no API connector, and the action then uses
``manual.ManualConnector``, whose step waits with that platform's own checklist.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Protocol

from accessguard.connectors.base import AccountRef, Connector
from accessguard.errors import ConfigError
from accessguard.secret import Secret

if TYPE_CHECKING:
    from accessguard.app import App
    from accessguard.connectors.http import HttpClient
    from accessguard.connectors.notify import Notifier

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "accessguard.connectors"
BUILTINS: dict[str, str] = {
    "scim": "accessguard.connectors.scim:ScimConnector",
    "meta": "accessguard.connectors.meta:MetaConnector",
    "pinterest": "accessguard.connectors.pinterest:PinterestConnector",
    "tiktok": "accessguard.connectors.tiktok:TikTokConnector",
    "google_business_profile": (
        "accessguard.connectors.google_business_profile:GoogleBusinessProfileConnector"
    ),
    "google_workspace": "accessguard.connectors.google_workspace:GoogleWorkspaceConnector",
    "google_ads": "accessguard.connectors.google_ads:GoogleAdsConnector",
    "google_merchant": "accessguard.connectors.google_merchant:GoogleMerchantConnector",
    "linkedin": "accessguard.connectors.linkedin:LinkedInConnector",
    "reddit": "accessguard.connectors.reddit:RedditConnector",
    "okta": "accessguard.connectors.okta:OktaConnector",
    "webhook": "accessguard.connectors.webhook:WebhookNotifier",
    "slack": "accessguard.connectors.slack:SlackNotifier",
    "jira": "accessguard.connectors.jira:JiraTicketer",
    "manual": "accessguard.connectors.manual:ManualConnector",
    "bluesky": "accessguard.connectors.bluesky:BlueskyConnector",
}
#: The connector an account uses when ``account.connector`` is not set.
DEFAULT_BY_PLATFORM: dict[str, str] = {
    "scim": "scim",
    "hootsuite": "scim",
    "facebook": "meta",
    "instagram": "meta",
    "meta-business": "meta",
    "pinterest": "pinterest",
    "tiktok": "tiktok",
    "google-business-profile": "google_business_profile",
    "google-workspace": "google_workspace",
    "google-ads": "google_ads",
    "google-merchant-center": "google_merchant",
    "linkedin": "linkedin",
    "reddit": "reddit",
    "okta": "okta",
    "x": "manual",
    "youtube": "manual",
    "sprout-social": "manual",
    "bluesky": "bluesky",
}
NOTIFIERS = ("webhook", "slack", "jira")


class Account(Protocol):
    """What a connector is built from: any account record with these fields."""

    @property
    def name(self) -> str: ...
    @property
    def platform(self) -> str: ...
    @property
    def handle(self) -> str: ...
    @property
    def connector(self) -> str | None: ...
    @property
    def settings(self) -> Mapping[str, Any] | None: ...


def _load(target: str) -> type[Connector]:
    module_name, _, attr = target.partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    if not (isinstance(cls, type) and issubclass(cls, Connector)):
        raise ConfigError(f"{target} is not a Connector class", code="connector-invalid")
    return cls


def available() -> dict[str, type[Connector]]:
    """Every connector by name: built-ins, then entry points (which cannot shadow them)."""
    found = {name: _load(target) for name, target in BUILTINS.items()}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in found:
            log.warning("connector entry point %r ignored: the name is built in", ep.name)
            continue
        cls = ep.load()
        if isinstance(cls, type) and issubclass(cls, Connector):
            found[ep.name] = cls
        else:
            log.warning("connector entry point %r is not a Connector class; ignored", ep.name)
    return found


def connector_class(name: str) -> type[Connector]:
    """The connector class registered as ``name``; ConfigError naming the choices otherwise."""
    if name in BUILTINS:
        return _load(BUILTINS[name])
    classes = available()
    if name not in classes:
        raise ConfigError(
            f"unknown connector {name!r}",
            hint=f"known: {', '.join(sorted(classes))} (add your own with the "
            f"{ENTRY_POINT_GROUP!r} entry-point group)",
            code="connector-unknown",
        )
    return classes[name]


def connector_name(account: Account) -> str | None:
    """The connector an account uses: ``account.connector``, else its platform's default.

    An account that names no connector and has no settings has no API configured: it
    uses the manual checklist (``manual``), not a platform connector that would fail
    for want of its ids.
    """
    if account.connector:
        return account.connector
    default = DEFAULT_BY_PLATFORM.get(account.platform)
    if default is None:
        return None
    if not account.settings and connector_class(default).required_settings():
        return "manual"
    return default


def http_client(app: App) -> HttpClient:
    """An ``HttpClient`` that may reach the hosts the admin allowed in the config file."""
    from accessguard.connectors.http import HttpClient

    connectors = app.settings.connectors
    return HttpClient(
        allowed_hosts=connectors.allowed_hosts, connector_hosts=connectors.by_connector
    )


def build_connector(
    app: App,
    account: Account,
    *,
    http: Any = None,
    secrets: Mapping[str, Secret] | None = None,
) -> Connector | None:
    """The connector for ``account`` with its secrets, or None if it has no API connector.

    Secrets come from Vault (``<prefix>/connectors/accounts/<account.name>``) or the
    keyring unless given; ``http`` is a shared ``HttpClient`` (one per run is best),
    else one from ``http_client(app)``.
    """
    name = connector_name(account)
    if name is None or name == "manual":
        return None
    cls = connector_class(name)
    if secrets is None:
        secrets = _secrets_for(app, cls, "accounts", account.name)
    ref = AccountRef(account.name, account.platform, account.handle, vault_root=_vault_root(app))
    return cls(
        settings=account.settings or {},
        secrets=secrets,
        http=http if http is not None else http_client(app),
        account=ref,
    )


def build_notifier(
    app: App,
    kind: str,
    *,
    name: str,
    settings: Mapping[str, Any] | None = None,
    http: Any = None,
    secrets: Mapping[str, Secret] | None = None,
) -> Notifier:
    """A ``webhook``, ``slack`` or ``jira`` notifier for channel ``name``.

    Its secrets come from ``<prefix>/connectors/notifiers/<name>`` (or the keyring), a
    namespace no account can read.
    """
    from accessguard.connectors.notify import Notifier

    cls = connector_class(kind)
    if not issubclass(cls, Notifier):
        raise ConfigError(
            f"connector {kind!r} is not a notifier", hint=f"use one of {', '.join(NOTIFIERS)}"
        )
    if secrets is None:
        secrets = _secrets_for(app, cls, "notifiers", name)
    return cls(
        settings=settings or {},
        secrets=secrets,
        http=http if http is not None else http_client(app),
        account=AccountRef(name, kind, kind="notifiers", vault_root=_vault_root(app)),
    )


def _vault_root(app: App) -> str:
    """``<mount>/<prefix>``: where connector secrets are read in Vault, for hints."""
    return f"{app.settings.vault.kv_mount}/{app.settings.vault.prefix}"


def _secrets_for(app: App, cls: type[Connector], kind: str, name: str) -> dict[str, Secret]:
    if not cls.secret_keys:
        return {}
    from accessguard.connectors.tokens import connector_secrets

    return connector_secrets(app, kind, name)
