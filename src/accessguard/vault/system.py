"""System endpoints (``vault.sys``): health, the tool's token, mounts, policies, revocation."""

from __future__ import annotations

from typing import Any

from accessguard.vault.transport import Transport


class Sys:
    """What bootstrap and ``vault status`` need, and revoking a person's tokens."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def health(self) -> dict[str, Any]:
        """``sys/health`` (works without a token; sealed and standby are reported, not raised)."""
        response = self._transport.request(
            "GET", "/v1/sys/health?standbyok=true", raise_exception=False, what="read health"
        )
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        return dict(answer) if isinstance(answer, dict) else {}

    def token_info(self) -> dict[str, Any]:
        """Non-secret facts about the tool's own token (ttl, policies, display name)."""
        answer = self._transport.call("look up the token", "GET", "/v1/auth/token/lookup-self")
        data = (answer or {}).get("data") or {}
        return {
            "display_name": data.get("display_name"),
            "policies": sorted(data.get("policies") or []),
            "ttl": data.get("ttl"),
            "expire_time": data.get("expire_time"),
            "renewable": data.get("renewable"),
            "entity_id": data.get("entity_id") or None,
        }

    def secrets_mounts(self) -> dict[str, dict[str, Any]]:
        """Mounted secrets engines by path (``secret/``)."""
        answer = self._transport.call("list mounts", "GET", "/v1/sys/mounts") or {}
        return dict(answer.get("data", answer))

    def auth_mounts(self) -> dict[str, dict[str, Any]]:
        """Enabled auth methods by path (``userpass/``)."""
        answer = self._transport.call("list auth methods", "GET", "/v1/sys/auth") or {}
        return dict(answer.get("data", answer))

    def enable_secrets_engine(self, kind: str, path: str, *, options: dict[str, str]) -> None:
        """Mount a secrets engine."""
        body: dict[str, Any] = {"type": kind}
        if options:
            body["options"] = options
        self._transport.call(f"mount {kind} at {path}", "POST", f"/v1/sys/mounts/{path}", body)

    def enable_auth_method(self, kind: str, path: str) -> None:
        """Enable an auth method."""
        what = f"enable {kind} at {path}"
        self._transport.call(what, "POST", f"/v1/sys/auth/{path}", {"type": kind})

    def read_policy(self, name: str) -> str | None:
        """A policy's text, or None."""
        answer = self._transport.call(
            f"read policy {name}", "GET", f"/v1/sys/policies/acl/{name}", refused=(404,)
        )
        policy = ((answer or {}).get("data") or {}).get("policy")
        return str(policy) if policy is not None else None

    def write_policy(self, name: str, text: str) -> None:
        """Create or replace an ACL policy."""
        what = f"write policy {name}"
        self._transport.call(what, "POST", f"/v1/sys/policies/acl/{name}", {"policy": text})

    def revoke_prefix(self, prefix: str) -> None:
        """Revoke every lease and token under ``prefix`` (``auth/userpass/login/<user>/``)."""
        what = f"revoke tokens of {prefix}"
        self._transport.call(what, "POST", f"/v1/sys/leases/revoke-prefix/{prefix}", {})
