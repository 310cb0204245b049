"""The Vault facade: one object per process, safe to share across threads.

Endpoint groups by composition, each a small class over the same transport:
``vault.kv`` (shared logins, KV v2), ``vault.totp`` (2FA seeds), ``vault.identity``
(people's entities, groups and userpass users) and ``vault.sys`` (health, token,
mounts, policies, revocation); ``read``/``write``/``delete`` reach any other path.
Every request goes through ``vault/transport.py`` (hvac's adapter on one pooled
requests session): it fails over between the configured addresses, rides out leader
elections, prefers the active node and carries the read-your-writes headers. Every
hvac, requests or HTTP error leaves ``vault/`` as an ``accessguard.errors`` error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from accessguard.errors import ConfigError
from accessguard.secret import Secret
from accessguard.vault.connection import Connection, resolve
from accessguard.vault.identity import Identity
from accessguard.vault.kv import Kv
from accessguard.vault.paths import VaultPaths
from accessguard.vault.system import Sys
from accessguard.vault.totp import Totp
from accessguard.vault.transport import Transport

if TYPE_CHECKING:
    from accessguard.app import App


class Vault:
    """Typed access to the Vault endpoints accessguard uses, grouped by engine."""

    def __init__(self, connection: Connection, paths: VaultPaths) -> None:
        if not connection.addresses:
            raise ConfigError("no Vault address configured", code="vault-no-address")
        self.connection = connection
        self.transport = Transport(connection)
        self.sys = Sys(self.transport)
        self.paths = paths

    @property
    def paths(self) -> VaultPaths:
        """The installation's mounts and prefix."""
        return self._paths

    @paths.setter
    def paths(self, paths: VaultPaths) -> None:
        """Point the groups at other mounts (same transport: same addresses and consistency)."""
        self._paths = paths
        self.kv = Kv(self.transport, paths)
        self.totp = Totp(self.transport, paths)
        self.identity = Identity(self.transport, paths)

    @property
    def addr(self) -> str:
        """The address currently in use."""
        return self.transport.addr

    def read(self, path: str, *, what: str) -> dict[str, Any] | None:
        """Generic read (``v1/<path>``); None when the path holds nothing."""
        return self.transport.call(what, "GET", f"/v1/{path}", refused=(404,))

    def write(self, path: str, data: Mapping[str, Any], *, what: str) -> dict[str, Any] | None:
        """Generic write; the response body when there is one."""
        return self.transport.call(what, "POST", f"/v1/{path}", dict(data)) or None

    def delete(self, path: str, *, what: str) -> None:
        """Generic delete (absent paths are fine)."""
        self.transport.call(what, "DELETE", f"/v1/{path}")

    def close(self) -> None:
        """Close the pooled connections."""
        self.transport.close()


def open_vault(app: App, *, token: Secret | None = None, require_token: bool = True) -> Vault:
    """The Vault for ``app``'s settings; token from ``token``, the environment or the keyring.

    The returned object is safe to share across threads.
    """
    connection = resolve(app.settings.vault)
    if token is None and connection.token is None and require_token:
        raise ConfigError(
            "no Vault token",
            hint="set VAULT_TOKEN (or BAO_TOKEN), or store one with `accessguard login`",
            code="vault-no-token",
        )
    if token is not None:
        connection = dataclasses.replace(connection, token=token)
    return Vault(connection, VaultPaths.from_settings(app.settings.vault))
