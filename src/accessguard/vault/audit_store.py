"""The audit chain's key and anchor in Vault KV, under ``<prefix>/_audit/`` (``AuditHooks``).

The key is 256 random bits, written once with check-and-set 0 (by ``vault bootstrap``
or the first event), read once per process and kept in memory as a ``Secret``: never
in the database, never logged. An event names its key as ``kv<version>`` so a future
rotation (a new KV version) leaves old events verifiable. The anchor is a KV secret
whose versions are the checkpoints, each written with check-and-set.

``_audit`` starts with ``_``, which no account segment may (``paths.check_segment``),
so these paths never meet an account's secret. Without a Vault address there is no
key and no anchor: events are hashed unkeyed and ``audit verify`` says so.
"""

from __future__ import annotations

import getpass
import os
import secrets
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from accessguard.audit.keys import Anchor, ChainKey, Identity
from accessguard.errors import CasConflictError, ConfigError, VaultError, VaultNotFoundError
from accessguard.secret import Secret

if TYPE_CHECKING:
    from accessguard.app import App
    from accessguard.vault.facade import Vault

_KEY_FIELD = "hmac_sha256_key"


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for this uid (some containers)
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else None


class VaultAnchors:
    """``AnchorStore`` on one KV v2 secret; each checkpoint is a version."""

    def __init__(self, vault: Vault, path: str) -> None:
        self._vault = vault
        self._path = path

    @property
    def location(self) -> str:
        """``<mount>/<prefix>/_audit/anchor``."""
        return f"{self._vault.paths.kv_mount}/{self._path}"

    def read(self) -> Anchor | None:
        """The current checkpoint, or None before the first."""
        try:
            stored = self._vault.kv.read(self._path)
        except VaultNotFoundError:
            return None
        values = {k: v.reveal() for k, v in stored.values.items()}
        try:
            return Anchor(
                int(values["seq"]),
                values["hash"],
                int(values.get("keyed_from") or 0),
                stored.version,
            )
        except (KeyError, ValueError):
            raise VaultError(
                f"the audit checkpoint at {self.location} is not one accessguard wrote",
                code="audit-anchor-unreadable",
            ) from None

    def write(self, anchor: Anchor, *, cas: int) -> Anchor:
        """A new checkpoint version, only if ``cas`` is still current (CasConflictError if not)."""
        values = {"seq": str(anchor.seq), "hash": anchor.hash, "keyed_from": str(anchor.keyed_from)}
        version = self._vault.kv.write(self._path, values, cas=cas)
        return Anchor(anchor.seq, anchor.hash, anchor.keyed_from, version)


class VaultAudit:
    """``AuditHooks`` from Vault: key, identity (``lookup-self``) and anchor, each fetched once."""

    def __init__(self, open_vault: Callable[[], Vault | None]) -> None:
        self._open = open_vault
        self._lock = threading.Lock()
        self._vault: Vault | None = None
        self._opened = False
        self._keys: dict[str, ChainKey] = {}
        self._signing: ChainKey | None = None
        self._identity: Identity | None = None

    def _client(self) -> Vault | None:
        with self._lock:
            if not self._opened:
                self._vault = self._open()
                self._opened = True
            return self._vault

    def _path(self, vault: Vault, name: str) -> str:
        return f"{vault.paths.prefix}/_audit/{name}"

    def signing_key(self) -> ChainKey | None:
        """The current key, created on first use; None without Vault."""
        if self._signing is not None:
            return self._signing
        vault = self._client()
        if vault is None:
            return None
        self._signing = ensure_key(vault)
        self._keys[self._signing.key_id] = self._signing
        return self._signing

    def key(self, key_id: str) -> ChainKey:
        """The key ``key_id`` (``kv<version>``) names."""
        if key_id in self._keys:
            return self._keys[key_id]
        vault = self._client()
        if vault is None or not key_id.startswith("kv") or not key_id[2:].isdigit():
            raise ConfigError(
                f"audit events are signed with key {key_id!r}, which is kept in Vault",
                hint="set VAULT_ADDR and VAULT_TOKEN to verify a keyed trail",
                code="audit-key-unavailable",
            )
        stored = vault.kv.read(self._path(vault, "chain-key"), int(key_id[2:]))
        self._keys[key_id] = ChainKey(key_id, stored.values[_KEY_FIELD])
        return self._keys[key_id]

    def key_exists(self) -> bool:
        """Whether the key was ever written (every event since must be keyed)."""
        if self._signing is not None:
            return True
        vault = self._client()
        if vault is None:
            return False
        meta = vault.kv.metadata(self._path(vault, "chain-key"))
        return meta is not None and meta.current_version > 0

    def identity(self) -> Identity:
        """The Vault token's display name and entity id, and the OS user (looked up once)."""
        if self._identity is None:
            vault = self._client()
            info = vault.sys.token_info() if vault is not None else {}
            self._identity = Identity(
                vault_name=info.get("display_name") or None,
                vault_entity=info.get("entity_id") or None,
                os_user=_os_user(),
            )
        return self._identity

    def anchors(self) -> VaultAnchors | None:
        """The checkpoint store; None without Vault."""
        vault = self._client()
        return VaultAnchors(vault, self._path(vault, "anchor")) if vault is not None else None


def ensure_key(vault: Vault) -> ChainKey:
    """The chain key at ``<prefix>/_audit/chain-key``, written first if absent (CAS 0)."""
    path = f"{vault.paths.prefix}/_audit/chain-key"
    try:
        stored = vault.kv.read(path)
    except VaultNotFoundError:
        fresh = Secret(secrets.token_hex(32))
        try:
            version = vault.kv.write(path, {_KEY_FIELD: fresh}, cas=0)
            return ChainKey(f"kv{version}", fresh)
        except CasConflictError:  # another process created it first: use theirs
            stored = vault.kv.read(path)
    return ChainKey(f"kv{stored.version}", stored.values[_KEY_FIELD])


def vault_audit(app: App) -> VaultAudit:
    """Hooks for ``app``: keyed and anchored when a Vault address is configured."""

    def open_if_configured() -> Vault | None:
        from accessguard.vault.facade import open_vault

        try:
            return open_vault(app)
        except ConfigError as exc:
            if exc.code == "vault-no-address":
                return None
            raise

    return VaultAudit(open_if_configured)
