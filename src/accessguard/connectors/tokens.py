"""Where connector secrets come from: Vault first, then the OS keyring; never config files.

Vault: the KV v2 secret ``<prefix>/connectors/<name>`` (every key becomes a secret, e.g.
``token``). Keyring: service ``accessguard``, user ``connector:<name>``; the value is
either the bare token or a JSON object of several secrets (``{"url": "...", "hmac_key": "..."}``).
``name`` is the account's name (or a notifier channel's name).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from accessguard.errors import ConfigError, VaultNotFoundError
from accessguard.secret import Secret

if TYPE_CHECKING:
    from accessguard.app import App

log = logging.getLogger(__name__)


def vault_path(prefix: str, name: str) -> str:
    """The KV path (under the mount) of a connector's secrets."""
    from accessguard.vault.paths import check_segment

    return f"{prefix}/connectors/{check_segment(name, 'connector name')}"


def from_vault(app: App, name: str) -> dict[str, Secret]:
    """Secrets stored in Vault for ``name``; empty when Vault is not configured or has none."""
    from accessguard.vault.facade import open_vault

    try:
        vault = open_vault(app)
    except ConfigError as exc:  # no Vault address or token configured: try the keyring
        log.debug("connector secrets: Vault not configured (%s)", exc.code)
        return {}
    try:
        return dict(vault.kv.read(vault_path(vault.paths.prefix, name)).values)
    except VaultNotFoundError:
        return {}
    finally:
        vault.close()


def from_keyring(name: str) -> dict[str, Secret]:
    """Secrets stored in the OS keyring for ``name`` (bare token or a JSON object)."""
    from accessguard import secrets_store

    raw = secrets_store.get_value(f"connector:{name}")
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {"token": Secret(raw)}
    if isinstance(parsed, dict):
        return {str(k): Secret(str(v)) for k, v in parsed.items() if v}
    return {"token": Secret(raw)}


def connector_secrets(app: App, name: str) -> dict[str, Secret]:
    """The secrets for connector ``name``: Vault if it holds any, else the keyring."""
    return from_vault(app, name) or from_keyring(name)
