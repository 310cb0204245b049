"""What a failed Vault request means for the transport: try another address, wait, or stop.

``classify`` sorts an exception (and the HTTP status, if there was one) into DOWN (no
answer), SEALED (sealed or uninitialised) or BUSY (5xx, a standby or a rate limit):
another address or a later try may answer. Anything else is the answer itself.
"""

from __future__ import annotations

from accessguard.errors import AccessGuardError
from accessguard.vault.errors import untrusted_certificate

#: What a node that does not answer itself is called in failures: try the next address.
DOWN, SEALED, BUSY = "down", "sealed", "busy"
#: Status codes of a node that cannot serve the request now (5xx; 412/429: standby, quota).
BUSY_STATUSES = frozenset({412, 429, 472, 473})


def _errors_text(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    return " ".join(str(e) for e in errors) if isinstance(errors, list) else str(exc)


def classify(exc: Exception, status: int | None) -> str | None:
    """DOWN, SEALED or BUSY when another address (or a later try) may answer; None otherwise."""
    if isinstance(exc, AccessGuardError):
        return None
    import hvac.exceptions as hx
    import requests

    if isinstance(exc, requests.exceptions.SSLError) and untrusted_certificate(exc):
        return None  # another try cannot change the certificate: fail at once
    if isinstance(
        exc,
        requests.exceptions.ConnectionError
        | requests.exceptions.Timeout
        | requests.exceptions.ChunkedEncodingError,
    ):
        return DOWN
    if isinstance(exc, hx.VaultNotInitialized):
        return SEALED
    if isinstance(exc, hx.VaultDown):
        return SEALED if "sealed" in _errors_text(exc).lower() else BUSY
    if isinstance(exc, hx.InternalServerError | hx.BadGateway | hx.RateLimitExceeded):
        return BUSY
    if (
        isinstance(exc, hx.InvalidRequest)
        and "waiting for the primary" in _errors_text(exc).lower()
    ):
        return BUSY  # a KV v2 mount still upgrading on the active node, seen from a standby
    busy_status = status is not None and (status >= 500 or status in BUSY_STATUSES)
    return BUSY if isinstance(exc, hx.VaultError) and busy_status else None
