"""The one place where what Vault (or the network) answered becomes accessguard's own error.

``vault/transport.py`` calls these two functions and nothing else looks at a
``requests`` exception or an HTTP status of Vault's:

- ``from_network(exc, ...)``: the request got no HTTP answer (refused, dropped,
  timed out, TLS failed, a header that cannot be sent);
- ``from_status(status, errors, ...)``: Vault answered with an error status.

Each returns either an ``AccessGuardError`` (the answer: raise it) or a ``Failure``:
this address cannot serve the request now (``Kind.DOWN``, ``SEALED`` or ``BUSY``), so
the transport tries another address or waits, and raises ``give_up(...)`` if none
answers in time. No third-party exception leaves ``vault/``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

import requests

from accessguard.errors import (
    AccessGuardError,
    CasConflictError,
    ConfigError,
    VaultError,
    VaultForbiddenError,
    VaultNotFoundError,
    VaultSealedError,
    VaultUnavailableError,
)
from accessguard.secret import redact

#: Statuses of a node that cannot serve the request now, besides 5xx: a standby that
#: cannot (412), a rate limit (429), a DR or performance standby (472, 473).
BUSY_STATUSES = frozenset({412, 429, 472, 473})


class Kind(StrEnum):
    """Why an address could not serve a request (another address or a later try may)."""

    DOWN = "down"  # no answer at all
    SEALED = "sealed"  # sealed or not initialised
    BUSY = "busy"  # 5xx, a standby that cannot serve it, a rate limit


@dataclass(frozen=True)
class Failure:
    """An address that could not serve the request, and the error to report if none can."""

    kind: Kind
    error: AccessGuardError


def _detail(errors: Sequence[object] | None, text: str) -> str:
    """Vault's ``errors`` (or the body) as one short redacted line."""
    raw = "; ".join(str(e).strip() for e in errors) if errors else text
    raw = " ".join(raw.replace("1 error occurred:", "").replace("*", "").split())
    return redact(raw)[:300]


#: TLS alerts a server sends when it requires a client certificate and got none or an
#: untrusted one (TLS 1.3 "certificate required"; TLS 1.2 "bad certificate"/"unknown ca").
_CLIENT_CERT_REFUSED = re.compile(
    r"alert (certificate required|bad certificate|unknown ca|certificate unknown)", re.I
)


def not_found(what: str) -> VaultNotFoundError:
    """Vault holds nothing at the path asked for while doing ``what`` (a 404)."""
    return VaultNotFoundError(
        f"nothing in Vault for {what}",
        hint="has `accessguard vault bootstrap` been run, and was the secret stored?",
    )


def from_network(exc: Exception, *, addr: str, what: str) -> AccessGuardError | Failure:
    """The error, or the ``Failure``, for a request to ``addr`` that got no HTTP answer."""
    if isinstance(exc, requests.exceptions.InvalidHeader | UnicodeError):
        # requests quotes the offending value in its message: never repeat it (a token).
        return ConfigError(
            f"cannot send the request to {what}: the Vault token, namespace or path holds "
            "a line break or a character HTTP headers cannot carry",
            hint="check VAULT_TOKEN / VAULT_NAMESPACE (or [vault].namespace)",
            code="vault-header",
        )
    untrusted = "certificate verify failed" in str(exc).lower()
    if isinstance(exc, requests.exceptions.SSLError) and untrusted:
        return VaultError(
            f"Vault at {addr} presented a TLS certificate this machine does not trust "
            f"(while trying to {what})",
            hint="set VAULT_CACERT (or REQUESTS_CA_BUNDLE) to the CA that signed Vault's "
            "certificate, or VAULT_CAPATH to a directory of CAs "
            "([vault].verify = false only for a throwaway test server)",
            code="vault-tls",
        )
    if isinstance(exc, requests.exceptions.SSLError) and _CLIENT_CERT_REFUSED.search(str(exc)):
        return VaultError(
            f"Vault at {addr} requires a TLS client certificate and refused this one "
            f"(none set, or not signed by a CA Vault trusts) while trying to {what}",
            hint="set VAULT_CLIENT_CERT and VAULT_CLIENT_KEY to a certificate and key "
            "signed by the CA in Vault's tls_client_ca_file",
            code="vault-tls-client",
        )
    unreachable = VaultUnavailableError(
        f"Vault at {addr} is unreachable while trying to {what} ({type(exc).__name__})",
        hint="check VAULT_ADDR / [vault].addresses and that Vault is running; safe to retry",
    )
    if isinstance(
        exc,
        requests.exceptions.ConnectionError
        | requests.exceptions.Timeout
        | requests.exceptions.ChunkedEncodingError,
    ):
        return Failure(Kind.DOWN, unreachable)
    return unreachable


def from_status(
    status: int, errors: Sequence[object] | None, text: str, *, addr: str, what: str
) -> AccessGuardError | Failure:
    """The error, or the ``Failure``, for Vault's answer ``status`` (>= 400) from ``addr``."""
    detail = _detail(errors, text)
    sealed = "sealed" in detail.lower()
    if status in (401, 403):
        return VaultForbiddenError(
            f"Vault refused to {what}: {detail or 'permission denied'}",
            hint="the token may be expired or lack the policy: see `accessguard vault status`; "
            "the tool's policy is written by `accessguard vault bootstrap`",
        )
    if status == 404:
        return not_found(what)
    if status == 501 or (status == 503 and sealed):  # not initialised, or sealed
        return Failure(
            Kind.SEALED,
            VaultSealedError(
                f"Vault at {addr} is sealed",
                hint="an operator must unseal Vault (`bao operator unseal`)",
            ),
        )
    busy = status >= 500 or status in BUSY_STATUSES
    # A KV v2 mount still upgrading on the active node, seen from a standby.
    busy = busy or (status == 400 and "waiting for the primary" in detail.lower())
    if busy:
        return Failure(
            Kind.BUSY,
            VaultUnavailableError(
                f"Vault failed to {what}: {detail}", hint="a transient Vault problem: retry later"
            ),
        )
    if sealed:
        return VaultSealedError(
            f"Vault at {addr} is sealed",
            hint="an operator must unseal Vault (`bao operator unseal`)",
        )
    if status == 400 and "check-and-set" in detail:
        return CasConflictError(
            f"another writer changed the secret first while trying to {what}",
            hint="nothing was overwritten; check `accessguard creds status` and retry",
        )
    return VaultError(f"Vault rejected the request to {what}: {detail}", code="vault-request")


def give_up(what: str, failed: Mapping[int, Failure], addresses: Sequence[str]) -> AccessGuardError:
    """The error when no address could serve the request within the retry window."""
    tried = ", ".join(addresses)
    kinds = {failure.kind for failure in failed.values()}
    if kinds == {Kind.SEALED}:
        return VaultSealedError(
            f"Vault is sealed (tried {tried}) while trying to {what}",
            hint="an operator must unseal Vault (`bao operator unseal`); then retry",
        )
    if kinds == {Kind.DOWN}:
        return VaultUnavailableError(
            f"no Vault address answered while trying to {what} (tried {tried})",
            hint="check that Vault is running and VAULT_ADDR / [vault].addresses are right",
        )
    busy = [failure for failure in failed.values() if failure.kind is Kind.BUSY]
    detail = (busy[-1] if busy else next(iter(failed.values()))).error.message
    return VaultUnavailableError(
        f"Vault could not {what} at any address ({detail}; tried {tried})",
        hint="a Vault outage or leader election outlasted the retries: retry when Vault "
        "answers again (`accessguard vault status`)",
    )


def _where(url: str) -> str:
    """``scheme://host:port`` of ``url``, never its user info, path or query."""
    parts = urlsplit(url)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # not a number
        port = ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}"


def foreign_redirect(current: str, target: str, *, what: str) -> VaultError:
    """Vault at ``current`` redirected to ``target``, which is not a configured address (or
    drops https): the request, and the token with it, is not sent there."""
    return VaultError(
        f"Vault at {_where(current)} redirected the request to {what} to "
        f"{_where(target)}, which is not a configured Vault address over "
        "the same security: not followed, the token was not sent there",
        hint="if that is your Vault's active node, add its address to VAULT_ADDR / "
        "[vault].addresses (https addresses only redirect to https)",
        code="vault-redirect",
    )


def too_many_redirects(*, what: str) -> VaultError:
    """Vault kept redirecting the request."""
    return VaultError(
        f"Vault redirected the request to {what} too many times",
        hint="check VAULT_ADDR / [vault].addresses: they should name Vault nodes",
        code="vault-redirect",
    )
