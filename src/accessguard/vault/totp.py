"""TOTP engine endpoints (``vault.totp``); hvac has no TOTP class, so these are plain paths."""

from __future__ import annotations

from typing import Any

from accessguard.errors import VaultError, VaultNotFoundError
from accessguard.secret import Secret
from accessguard.vault.paths import VaultPaths
from accessguard.vault.transport import Transport


class Totp:
    """2FA seeds in Vault's custody (``[vault].totp_mount``): people get codes, never seeds."""

    def __init__(self, transport: Transport, paths: VaultPaths) -> None:
        self._transport = transport
        self._paths = paths

    def _url(self, kind: str, name: str) -> str:
        return f"/v1/{self._paths.totp_mount}/{kind}/{self._paths.check_totp_key(name)}"

    def exists(self, name: str) -> bool:
        """True if the TOTP engine holds key ``name``."""
        url, what = self._url("keys", name), f"read TOTP key {name}"
        return self._transport.call(what, "GET", url, refused=(404,)) is not None

    def import_key(
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
        self._transport.call(f"store TOTP key {name}", "POST", self._url("keys", name), data)

    def generate(self, name: str, *, issuer: str, account_name: str) -> Secret:
        """Have Vault generate a seed; returns its ``otpauth://`` URI (shown once)."""
        body = {
            "generate": True,
            "exported": True,
            "issuer": issuer,
            "account_name": account_name,
            "qr_size": 0,
        }
        response = self._transport.call(
            f"generate TOTP key {name}", "POST", self._url("keys", name), body
        )
        url = ((response or {}).get("data") or {}).get("url")
        if not url:
            raise VaultNotFoundError(f"Vault returned no URI for TOTP key {name}")
        return Secret(str(url))

    def code(self, name: str) -> Secret:
        """The current code for key ``name``, computed by Vault."""
        what = f"get a code for {name}"
        data = self._transport.call(what, "GET", self._url("code", name), refused=(404,))
        if not data:
            raise VaultNotFoundError(f"no TOTP key {name} in Vault")
        return Secret(str(data["data"]["code"]))

    def validate(self, name: str, code: Secret) -> bool:
        """Ask Vault whether ``code`` is valid for key ``name`` (``POST code/<name>``).

        Only the answer comes back; the seed stays in Vault. A code Vault has seen
        already, or one that is not a code at all, is simply not valid.
        """
        what = f"validate a code for {name}"
        try:
            data = self._transport.call(
                what, "POST", self._url("code", name), {"code": code.reveal()}
            )
        except VaultError as exc:
            if exc.code != "vault-request":
                raise
            if "unknown key" in exc.message:
                raise VaultNotFoundError(f"no TOTP key {name} in Vault") from None
            return False  # "code already used", "invalid number of digits", ...
        return bool(((data or {}).get("data") or {}).get("valid"))

    def delete(self, name: str) -> None:
        """Remove a TOTP key (absent is fine)."""
        self._transport.call(f"delete TOTP key {name}", "DELETE", self._url("keys", name))
