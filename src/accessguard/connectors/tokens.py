"""Where connector secrets come from: Vault first, then the OS keyring; never config files.

Accounts and notifiers live in separate namespaces, so an account named like a notifier
(``jira``) can never read the notifier's token:

- Vault: the KV v2 secret ``<prefix>/connectors/accounts/<account>`` or
  ``<prefix>/connectors/notifiers/<channel>`` (every key becomes a secret, e.g. ``token``).
- Keyring: service ``accessguard``, user ``connectors/accounts/<account>`` or
  ``connectors/notifiers/<channel>``; the value is either the bare token or a JSON object
  of several secrets (``{"url": "...", "hmac_key": "..."}``).

The old flat locations (``<prefix>/connectors/<name>``, keyring user ``connector:<name>``)
are not read: they do not say which kind wrote them, so reading them would let one kind
take the other's secret. Missing secrets come with a hint naming the new location.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Literal

from accessguard.errors import ConfigError, VaultNotFoundError
from accessguard.secret import Secret

if TYPE_CHECKING:
    from accessguard.app import App

log = logging.getLogger(__name__)

#: ``accounts`` (built by ``registry.build_connector``) or ``notifiers`` (``build_notifier``).
Kind = Literal["accounts", "notifiers"]
KINDS: tuple[Kind, ...] = ("accounts", "notifiers")


def _checked(kind: str, name: str) -> str:
    from accessguard.vault.paths import check_segment

    if kind not in KINDS:
        raise ConfigError(f"unknown secrets namespace {kind!r}", hint=f"one of {', '.join(KINDS)}")
    return f"connectors/{kind}/{check_segment(name, 'connector name')}"


def vault_path(prefix: str, kind: str, name: str) -> str:
    """The KV path (under the mount) of an account's or notifier's secrets."""
    return f"{prefix}/{_checked(kind, name)}"


def keyring_user(kind: str, name: str) -> str:
    """The keyring user (service ``accessguard``) holding an account's or notifier's secrets."""
    return _checked(kind, name)


def missing_hint(kind: str, name: str, key: str, *, vault_root: str = "<mount>/<prefix>") -> str:
    """Where a missing secret is expected, and the command that stores it there.

    ``vault_root`` is the KV mount and prefix (``secret/accessguard``). (Secrets at the old
    flat path are not read: docs/connectors.md, Secrets, says so for those upgrading.)
    """
    where = f"connectors/{kind}/{name}"
    notifier = " --notifier <kind>" if kind == "notifiers" else ""
    return (
        f"store it in Vault with `accessguard connectors secret set {name} {key}{notifier}` "
        f"(KV {vault_root}/{where}, key {key}) or in the OS keyring "
        f"(service 'accessguard', user '{where}')"
    )


def from_vault(app: App, kind: str, name: str) -> dict[str, Secret]:
    """Secrets stored in Vault for ``name``; empty when Vault is not configured or has none."""
    from accessguard.vault.facade import open_vault

    path = _checked(kind, name)  # before opening Vault: a bad name fails the same everywhere
    try:
        vault = open_vault(app)
    except ConfigError as exc:  # no Vault address or token configured: try the keyring
        log.debug("connector secrets: Vault not configured (%s)", exc.code)
        return {}
    try:
        return dict(vault.kv.read(f"{vault.paths.prefix}/{path}").values)
    except VaultNotFoundError:
        return {}
    finally:
        vault.close()


def from_keyring(kind: str, name: str) -> dict[str, Secret]:
    """Secrets stored in the OS keyring for ``name`` (bare token or a JSON object)."""
    from accessguard import secrets_store

    raw = secrets_store.get_value(keyring_user(kind, name))
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {"token": Secret(raw)}
    if isinstance(parsed, dict):
        return {str(k): Secret(str(v)) for k, v in parsed.items() if v}
    return {"token": Secret(raw)}


def connector_secrets(app: App, kind: str, name: str) -> dict[str, Secret]:
    """The secrets of account or notifier ``name``: Vault if it holds any, else the keyring."""
    return from_vault(app, kind, name) or from_keyring(kind, name)
