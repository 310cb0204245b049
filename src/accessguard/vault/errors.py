"""Turn hvac and requests exceptions into accessguard's Vault errors, with hints."""

from __future__ import annotations

from accessguard.errors import (
    AccessGuardError,
    CasConflictError,
    VaultError,
    VaultForbiddenError,
    VaultNotFoundError,
    VaultSealedError,
    VaultUnavailableError,
)
from accessguard.secret import redact


def _detail(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if isinstance(errors, list) and errors:
        text = "; ".join(str(e).strip() for e in errors)
    else:
        text = str(exc).split(", on ")[0]
    text = " ".join(text.replace("1 error occurred:", "").replace("*", "").split())
    return redact(text)[:300]


def not_found(what: str) -> VaultNotFoundError:
    """Vault holds nothing at the path asked for while doing ``what`` (a 404)."""
    return VaultNotFoundError(
        f"nothing in Vault for {what}",
        hint="has `accessguard vault bootstrap` been run, and was the secret stored?",
    )


def untrusted_certificate(exc: Exception) -> bool:
    """True when a TLS error says the server's certificate failed verification."""
    return "certificate verify failed" in str(exc).lower()


def translate(exc: Exception, *, addr: str, what: str) -> AccessGuardError:
    """The accessguard error for an exception raised while doing ``what`` at ``addr``."""
    if isinstance(exc, AccessGuardError):
        return exc
    import hvac.exceptions as hx
    import requests

    detail = _detail(exc)
    if isinstance(exc, requests.exceptions.SSLError) and untrusted_certificate(exc):
        return VaultError(
            f"Vault at {addr} presented a TLS certificate this machine does not trust "
            f"(while trying to {what})",
            hint="set REQUESTS_CA_BUNDLE to the CA bundle that signed Vault's certificate "
            "([vault].verify = false only for a throwaway test server)",
            code="vault-tls",
        )
    if isinstance(exc, requests.exceptions.RequestException):
        return VaultUnavailableError(
            f"Vault at {addr} is unreachable while trying to {what} ({type(exc).__name__})",
            hint="check VAULT_ADDR / [vault].addresses and that Vault is running; safe to retry",
        )
    if isinstance(exc, hx.Forbidden | hx.Unauthorized):
        return VaultForbiddenError(
            f"Vault refused to {what}: {detail or 'permission denied'}",
            hint="the token may be expired or lack the policy: see `accessguard vault status`; "
            "the tool's policy is written by `accessguard vault bootstrap`",
        )
    if isinstance(exc, hx.InvalidPath):
        return not_found(what)
    if isinstance(exc, hx.VaultNotInitialized) or "sealed" in detail.lower():
        return VaultSealedError(
            f"Vault at {addr} is sealed",
            hint="an operator must unseal Vault (`bao operator unseal`)",
        )
    if isinstance(exc, hx.InvalidRequest) and "check-and-set" in detail:
        return CasConflictError(
            f"another writer changed the secret first while trying to {what}",
            hint="nothing was overwritten; check `accessguard creds status` and retry",
        )
    if isinstance(
        exc, hx.InternalServerError | hx.BadGateway | hx.VaultDown | hx.RateLimitExceeded
    ):
        return VaultUnavailableError(
            f"Vault failed to {what}: {detail}", hint="a transient Vault problem: retry later"
        )
    if isinstance(exc, hx.VaultError):
        return VaultError(f"Vault rejected the request to {what}: {detail}", code="vault-request")
    return VaultError(f"unexpected error talking to Vault ({type(exc).__name__}): {detail}")
