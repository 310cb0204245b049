"""The Vault facade: one object per process, safe to share across threads.

KV, identity, TOTP and the generic read/write/delete go over a lean kept-alive
connection per thread and address (``Transport.request``, ``vault/http.py``): an
offboarding makes hundreds of them, and hvac plus requests cost five times the CPU
per request. The rarer system calls (health, token, mounts) use this thread's hvac
client (``_call``). Either way the choice of address lives in one place
(``vault/transport.py``): it fails over between the configured addresses, rides out
leader elections, prefers the active node and carries the read-your-writes headers.
Every hvac or network error leaves here as an ``accessguard.errors`` error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from accessguard.errors import CasConflictError, ConfigError, VaultError, VaultNotFoundError
from accessguard.secret import Secret
from accessguard.vault.connection import Connection, resolve
from accessguard.vault.errors import not_found
from accessguard.vault.identity import IdentityMixin
from accessguard.vault.paths import VaultPaths
from accessguard.vault.transport import Transport

if TYPE_CHECKING:
    from accessguard.app import App

T = TypeVar("T")
#: How Vault refuses a PATCH itself: no ``patch`` capability (403), no PATCH at all (405).
REFUSED = (403, 405)


@dataclass(frozen=True)
class KvSecret:
    """One version of a KV v2 secret; every value is a ``Secret``."""

    version: int
    values: dict[str, Secret]
    custom_metadata: dict[str, str]
    created_time: str

    def public_values(self) -> dict[str, Secret]:
        """The values meant for people, by name (tool bookkeeping keys start with ``_``)."""
        return {k: self.values[k] for k in sorted(self.values) if not k.startswith("_")}


@dataclass(frozen=True)
class KvMetadata:
    """The metadata of a KV v2 secret: versions and ``custom_metadata``."""

    current_version: int
    versions: dict[int, dict[str, Any]]
    custom_metadata: dict[str, str] = field(default_factory=dict)


class Vault(IdentityMixin):
    """Typed access to the Vault endpoints accessguard uses."""

    def __init__(self, connection: Connection, paths: VaultPaths) -> None:
        if not connection.addresses:
            raise ConfigError("no Vault address configured", code="vault-no-address")
        self.connection = connection
        self.paths = paths
        self.transport = Transport(connection)
        #: False once Vault refused a PATCH (no ``patch`` capability, or too old a server).
        self._patch_ok = True

    # --- transport (address choice, failover, consistency: vault/transport.py) -------------

    @property
    def addr(self) -> str:
        """The address currently in use."""
        return self.transport.addr

    def _call(self, what: str, func: Callable[[Any], T]) -> T:
        """Run ``func(client)`` on the active address, failing over and riding out elections."""
        return self.transport.call(what, func)

    def read(self, path: str, *, what: str) -> dict[str, Any] | None:
        """Generic read (``v1/<path>``); None when the path holds nothing."""
        try:
            return self.transport.request(what, "GET", f"/v1/{path}")
        except VaultNotFoundError:
            return None

    def write(self, path: str, data: Mapping[str, Any], *, what: str) -> dict[str, Any] | None:
        """Generic write; the response body when there is one."""
        return self.transport.request(what, "POST", f"/v1/{path}", dict(data)) or None

    def delete(self, path: str, *, what: str) -> None:
        """Generic delete (absent paths are fine)."""
        self.transport.request(what, "DELETE", f"/v1/{path}")

    def close(self) -> None:
        """Close this thread's HTTP sessions."""
        self.transport.close()

    # --- system ----------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """``sys/health`` (works without a token; sealed and standby are reported, not raised)."""
        response = self._call(
            "read health", lambda c: c.sys.read_health_status(method="GET", standby_ok=True)
        )
        # hvac returns the raw response for sealed/standby status codes (503, 429, ...).
        if not isinstance(response, dict):
            response = response.json()
        return dict(response)

    def token_info(self) -> dict[str, Any]:
        """Non-secret facts about the tool's own token (ttl, policies, display name)."""
        data = self._call("look up the token", lambda c: c.auth.token.lookup_self())["data"]
        return {
            "display_name": data.get("display_name"),
            "policies": sorted(data.get("policies") or []),
            "ttl": data.get("ttl"),
            "expire_time": data.get("expire_time"),
            "renewable": data.get("renewable"),
            "entity_id": data.get("entity_id") or None,
            "accessor": data.get("accessor"),
        }

    def secrets_mounts(self) -> dict[str, dict[str, Any]]:
        """Mounted secrets engines by path (``secret/``)."""
        data = self._call("list mounts", lambda c: c.sys.list_mounted_secrets_engines())
        return dict(data.get("data", data))

    def auth_mounts(self) -> dict[str, dict[str, Any]]:
        """Enabled auth methods by path (``userpass/``)."""
        data = self._call("list auth methods", lambda c: c.sys.list_auth_methods())
        return dict(data.get("data", data))

    def enable_secrets_engine(self, kind: str, path: str, *, options: dict[str, str]) -> None:
        """Mount a secrets engine."""
        self._call(
            f"mount {kind} at {path}",
            lambda c: c.sys.enable_secrets_engine(kind, path=path, options=options or None),
        )

    def enable_auth_method(self, kind: str, path: str) -> None:
        """Enable an auth method."""
        self._call(f"enable {kind} at {path}", lambda c: c.sys.enable_auth_method(kind, path=path))

    def read_policy(self, name: str) -> str | None:
        """A policy's text, or None."""
        data = self.read(f"sys/policies/acl/{name}", what=f"read policy {name}")
        return (data or {}).get("data", {}).get("policy") if data else None

    def write_policy(self, name: str, text: str) -> None:
        """Create or replace an ACL policy."""
        self.write(f"sys/policies/acl/{name}", {"policy": text}, what=f"write policy {name}")

    def revoke_prefix(self, prefix: str) -> None:
        """Revoke every lease and token under ``prefix`` (``auth/userpass/login/<user>/``)."""
        self.write(f"sys/leases/revoke-prefix/{prefix}", {}, what=f"revoke tokens of {prefix}")

    # --- KV v2 -----------------------------------------------------------------------------

    def _kv_url(self, kind: str, path: str) -> str:
        """``/v1/<mount>/<kind>/<path>`` (kind: data or metadata), quoted."""
        return f"/v1/{quote(self.paths.kv_mount)}/{kind}/{quote(path)}"

    def kv_metadata(self, path: str) -> KvMetadata | None:
        """A secret's metadata, or None if it was never written."""
        what = f"read metadata of {path}"
        try:
            answer = self.transport.request(what, "GET", self._kv_url("metadata", path))
            data = (answer or {})["data"]
        except VaultNotFoundError:
            return None
        return KvMetadata(
            current_version=int(data.get("current_version") or 0),
            versions={int(k): v for k, v in (data.get("versions") or {}).items()},
            custom_metadata=dict(data.get("custom_metadata") or {}),
        )

    def kv_read(self, path: str, version: int | None = None) -> KvSecret:
        """One version (default: current) of a secret; VaultNotFoundError if absent or deleted."""
        what = f"read {path}" + (f" version {version}" if version else "")
        url = self._kv_url("data", path) + (f"?version={int(version)}" if version else "")
        data = (self.transport.request(what, "GET", url) or {}).get("data") or {}
        meta = data.get("metadata") or {}
        if data.get("data") is None:  # a deleted or destroyed version answers 404 or no data
            raise not_found(what)
        return KvSecret(
            version=int(meta.get("version") or 0),
            values={k: Secret(str(v)) for k, v in (data.get("data") or {}).items()},
            custom_metadata=dict(meta.get("custom_metadata") or {}),
            created_time=str(meta.get("created_time") or ""),
        )

    def kv_write(self, path: str, values: Mapping[str, Secret | str], *, cas: int) -> int:
        """Write a new version only if the current one is ``cas`` (0: must not exist)."""
        plain = {k: v.reveal() if isinstance(v, Secret) else str(v) for k, v in values.items()}
        version = self._write_version(path, "POST", plain, cas)
        assert version is not None
        return version

    def _write_version(self, path: str, method: str, plain: dict[str, str], cas: int) -> int | None:
        """POST or PATCH a new version with check-and-set; None when Vault refuses the PATCH."""
        body = {"data": plain, "options": {"cas": cas}}
        refused = REFUSED if method == "PATCH" else ()
        try:
            response = self.transport.request(
                f"write {path}", method, self._kv_url("data", path), body, refused=refused
            )
        except CasConflictError:
            # A retried write whose first answer was lost is refused by its own success.
            retried = self.transport.last_tries > 1
            written = self._version_holding(path, plain, after=cas) if retried else None
            if written is None:
                raise
            return written
        return None if response is None else self._version_of(path, response)

    def _version_of(self, path: str, response: dict[str, Any]) -> int:
        version = (response.get("data") or {}).get("version")
        if not isinstance(version, int):
            raise VaultError(f"Vault gave no version for the write of {path}", code="vault-request")
        return version

    def kv_patch(self, path: str, values: Mapping[str, Secret | str], *, cas: int) -> int:
        """A new version: ``values`` merged by Vault into version ``cas``, which must be current.

        One round trip (a KV v2 JSON merge patch with check-and-set). A token without the
        ``patch`` capability (a policy written before it was added) or a server without
        PATCH falls back to reading version ``cas`` and writing the merge with
        check-and-set: the same result in two round trips.
        """
        plain = {k: v.reveal() if isinstance(v, Secret) else str(v) for k, v in values.items()}
        if self._patch_ok:
            version = self._write_version(path, "PATCH", plain, cas)
            if version is not None:
                return version
            self._patch_ok = False
        return self._patch_by_write(path, plain, cas=cas)

    def _patch_by_write(self, path: str, plain: Mapping[str, str], *, cas: int) -> int:
        old = self.kv_read(path, cas)
        merged: dict[str, Secret | str] = dict(old.values)
        merged.update(plain)
        return self.kv_write(path, merged, cas=cas)

    def _version_holding(self, path: str, plain: Mapping[str, str], *, after: int) -> int | None:
        """The version newer than ``after`` whose data holds exactly ``plain``, if any."""
        meta = self.kv_metadata(path)
        for version in range(after + 1, (meta.current_version if meta else 0) + 1):
            try:
                stored = self.kv_read(path, version)
            except VaultNotFoundError:
                continue
            if all(
                key in stored.values and stored.values[key].reveal() == value
                for key, value in plain.items()
            ):
                return version
        return None

    def kv_set_custom_metadata(
        self, path: str, changes: Mapping[str, str | None], *, current: KvMetadata | None = None
    ) -> None:
        """Merge ``changes`` into the secret's custom_metadata (None removes a key).

        One PATCH of the metadata when Vault allows it; otherwise the metadata is read
        (unless the caller passes ``current``, read earlier: writes of versions leave
        custom_metadata alone) and written back merged.
        """
        clean = {k: None if v is None else str(v)[:512] for k, v in changes.items()}
        url, what = self._kv_url("metadata", path), f"update metadata of {path}"
        if current is None and self._patch_ok:
            body = {"custom_metadata": clean}
            if self.transport.request(what, "PATCH", url, body, refused=REFUSED) is not None:
                return
            self._patch_ok = False
        if current is None:
            current = self.kv_metadata(path)
        merged = dict(current.custom_metadata if current else {})
        for key, value in clean.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        self.transport.request(what, "POST", url, {"custom_metadata": merged})

    # --- TOTP engine (hvac has no TOTP class: generic read/write) ---------------------------

    def totp_exists(self, name: str) -> bool:
        """True if the TOTP engine holds key ``name``."""
        mount = self.paths.totp_mount
        return self.read(f"{mount}/keys/{name}", what=f"read TOTP key {name}") is not None

    def totp_import(
        self,
        name: str,
        *,
        seed: Secret | None = None,
        url: Secret | None = None,
        issuer: str = "",
        account_name: str = "",
    ) -> None:
        """Store an existing seed (base32 ``seed`` or an ``otpauth://`` ``url``)."""
        data: dict[str, Any] = {"generate": False}
        if url is not None:
            data["url"] = url.reveal()
        elif seed is not None:
            data["key"] = seed.reveal()
            data.update(issuer=issuer or "accessguard", account_name=account_name or name)
        else:
            raise ValueError("seed or url is required")
        self.write(f"{self.paths.totp_mount}/keys/{name}", data, what=f"store TOTP key {name}")

    def totp_generate(self, name: str, *, issuer: str, account_name: str) -> Secret:
        """Have Vault generate a seed; returns its ``otpauth://`` URI (shown once)."""
        response = self.write(
            f"{self.paths.totp_mount}/keys/{name}",
            {
                "generate": True,
                "exported": True,
                "issuer": issuer,
                "account_name": account_name,
                "qr_size": 0,
            },
            what=f"generate TOTP key {name}",
        )
        url = ((response or {}).get("data") or {}).get("url")
        if not url:
            raise VaultNotFoundError(f"Vault returned no URI for TOTP key {name}")
        return Secret(str(url))

    def totp_code(self, name: str) -> Secret:
        """The current code for key ``name``, computed by Vault."""
        data = self.read(f"{self.paths.totp_mount}/code/{name}", what=f"get a code for {name}")
        if not data:
            raise VaultNotFoundError(f"no TOTP key {name} in Vault")
        return Secret(str(data["data"]["code"]))

    def totp_validate(self, name: str, code: Secret) -> bool:
        """Ask Vault whether ``code`` is valid for key ``name`` (``POST code/<name>``).

        Only the answer comes back; the seed stays in Vault. A code Vault has seen
        already, or one that is not a code at all, is simply not valid.
        """
        what = f"validate a code for {name}"
        try:
            data = self.write(
                f"{self.paths.totp_mount}/code/{name}", {"code": code.reveal()}, what=what
            )
        except VaultError as exc:
            if exc.code != "vault-request":
                raise
            if "unknown key" in exc.message:
                raise VaultNotFoundError(f"no TOTP key {name} in Vault") from None
            return False  # "code already used", "invalid number of digits", ...
        return bool(((data or {}).get("data") or {}).get("valid"))

    def totp_delete(self, name: str) -> None:
        """Remove a TOTP key (absent is fine)."""
        self.delete(f"{self.paths.totp_mount}/keys/{name}", what=f"delete TOTP key {name}")


def open_vault(app: App, *, token: Secret | None = None, require_token: bool = True) -> Vault:
    """The Vault for ``app``'s settings; token from ``token``, the environment or the keyring.

    The returned object is safe to share across threads (one hvac client per thread).
    """
    connection = resolve(app.settings.vault)
    if token is None and connection.token is None and require_token:
        raise ConfigError(
            "no Vault token",
            hint="set VAULT_TOKEN (or BAO_TOKEN), or store one with `accessguard login`",
            code="vault-no-token",
        )
    if token is not None:
        connection = Connection(
            connection.addresses,
            token,
            connection.namespace,
            connection.timeout,
            connection.verify,
        )
    return Vault(connection, VaultPaths.from_settings(app.settings.vault))
