"""KV v2 endpoints (``vault.kv``): versions with check-and-set, metadata, merge patches."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from accessguard.errors import CasConflictError, VaultError, VaultNotFoundError
from accessguard.secret import Secret
from accessguard.vault.failures import not_found
from accessguard.vault.paths import VaultPaths
from accessguard.vault.transport import Transport

#: How Vault refuses a PATCH itself: no ``patch`` capability (403), no PATCH at all (405).
PATCH_REFUSED = (403, 405)


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


def _plain(values: Mapping[str, Secret | str]) -> dict[str, str]:
    return {k: v.reveal() if isinstance(v, Secret) else str(v) for k, v in values.items()}


class Kv:
    """The shared logins' KV v2 mount (``[vault].kv_mount``)."""

    def __init__(self, transport: Transport, paths: VaultPaths) -> None:
        self._transport = transport
        self._paths = paths
        #: False once Vault refused a PATCH (no ``patch`` capability, or too old a server).
        self._patch_ok = True

    def _url(self, kind: str, path: str) -> str:
        """``/v1/<mount>/<kind>/<path>`` (kind: data or metadata), quoted; ``path`` checked."""
        checked = self._paths.check_kv_path(path)
        return f"/v1/{quote(self._paths.kv_mount)}/{kind}/{quote(checked)}"

    def metadata(self, path: str) -> KvMetadata | None:
        """A secret's metadata, or None if it was never written."""
        answer = self._transport.call(
            f"read metadata of {path}", "GET", self._url("metadata", path), refused=(404,)
        )
        if answer is None:
            return None
        data = answer.get("data") or {}
        return KvMetadata(
            current_version=int(data.get("current_version") or 0),
            versions={int(k): v for k, v in (data.get("versions") or {}).items()},
            custom_metadata=dict(data.get("custom_metadata") or {}),
        )

    def read(self, path: str, version: int | None = None) -> KvSecret:
        """One version (default: current) of a secret; VaultNotFoundError if absent or deleted."""
        what = f"read {path}" + (f" version {version}" if version else "")
        url = self._url("data", path) + (f"?version={int(version)}" if version else "")
        data = (self._transport.call(what, "GET", url) or {}).get("data") or {}
        meta = data.get("metadata") or {}
        if data.get("data") is None:  # a deleted or destroyed version answers 404 or no data
            raise not_found(what)
        return KvSecret(
            version=int(meta.get("version") or 0),
            values={k: Secret(str(v)) for k, v in (data.get("data") or {}).items()},
            custom_metadata=dict(meta.get("custom_metadata") or {}),
            created_time=str(meta.get("created_time") or ""),
        )

    def write(self, path: str, values: Mapping[str, Secret | str], *, cas: int) -> int:
        """Write a new version only if the current one is ``cas`` (0: must not exist)."""
        version = self._write_version(path, "POST", _plain(values), cas)
        if version is None:  # only a PATCH can be refused
            raise VaultError(f"Vault refused the write of {path}", code="vault-request")
        return version

    def patch(self, path: str, values: Mapping[str, Secret | str], *, cas: int) -> int:
        """A new version: ``values`` merged by Vault into version ``cas``, which must be current.

        One round trip (a KV v2 JSON merge patch with check-and-set). A token without the
        ``patch`` capability (a policy written before it was added) or a server without
        PATCH falls back to reading version ``cas`` and writing the merge with
        check-and-set: the same result in two round trips.
        """
        plain = _plain(values)
        if self._patch_ok:
            version = self._write_version(path, "PATCH", plain, cas)
            if version is not None:
                return version
            self._patch_ok = False
        old = self.read(path, cas)
        merged: dict[str, Secret | str] = dict(old.values)
        merged.update(plain)
        return self.write(path, merged, cas=cas)

    def _write_version(self, path: str, method: str, plain: dict[str, str], cas: int) -> int | None:
        """POST or PATCH a new version with check-and-set; None when Vault refuses the PATCH."""
        body = {"data": plain, "options": {"cas": cas}}
        refused = PATCH_REFUSED if method == "PATCH" else ()
        try:
            response = self._transport.call(
                f"write {path}", method, self._url("data", path), body, refused=refused
            )
        except CasConflictError:
            # A retried write whose first answer was lost is refused by its own success.
            retried = self._transport.last_tries > 1
            written = self._version_holding(path, plain, after=cas) if retried else None
            if written is None:
                raise
            return written
        if response is None:
            return None
        version = (response.get("data") or {}).get("version")
        if not isinstance(version, int):
            raise VaultError(f"Vault gave no version for the write of {path}", code="vault-request")
        return version

    def _version_holding(self, path: str, plain: Mapping[str, str], *, after: int) -> int | None:
        """The version newer than ``after`` whose data holds exactly ``plain``, if any."""
        meta = self.metadata(path)
        for version in range(after + 1, (meta.current_version if meta else 0) + 1):
            try:
                stored = self.read(path, version)
            except VaultNotFoundError:
                continue
            if all(
                key in stored.values and stored.values[key].reveal() == value
                for key, value in plain.items()
            ):
                return version
        return None

    def set_custom_metadata(self, path: str, changes: Mapping[str, str | None]) -> None:
        """Merge ``changes`` into the secret's custom_metadata (None removes a key).

        One PATCH of the metadata when Vault allows it; otherwise the metadata is read
        and written back merged.
        """
        clean = {k: None if v is None else str(v)[:512] for k, v in changes.items()}
        url, what = self._url("metadata", path), f"update metadata of {path}"
        if self._patch_ok:
            body: dict[str, Any] = {"custom_metadata": clean}
            if self._transport.call(what, "PATCH", url, body, refused=PATCH_REFUSED) is not None:
                return
            self._patch_ok = False
        current = self.metadata(path)
        merged = dict(current.custom_metadata if current else {})
        for key, value in clean.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        self._transport.call(what, "POST", url, {"custom_metadata": merged})
