"""How the Vault wire is secured, as the Vault CLI users know it.

- ``VAULT_CACERT`` (a CA file) or ``VAULT_CAPATH`` (a c_rehash-style CA directory)
  name the CAs that may sign Vault's certificate; without them, ``REQUESTS_CA_BUNDLE``
  / ``CURL_CA_BUNDLE`` or requests' own bundle.
- ``VAULT_CLIENT_CERT`` / ``VAULT_CLIENT_KEY``: the client certificate for mutual TLS.
- ``VAULT_SKIP_VERIFY`` or ``[vault] verify = false`` turn verification off, never
  silently: a warning goes to stderr on every command that opens Vault.
- Plain ``http://`` is refused before anything is sent, except to loopback, unless the
  config file says ``[vault] allow_http = true``.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from accessguard.errors import ConfigError

log = logging.getLogger(__name__)

_TRUE = {"1", "t", "true", "yes", "on"}
_FALSE = {"0", "f", "false", "no", "off"}
_warned: set[tuple[str, ...]] = set()


def _env(environ: Mapping[str, str], *names: str) -> tuple[str, str] | None:
    """The first of ``names`` set (non-empty) in ``environ``, with its value."""
    for name in names:
        value = environ.get(name, "").strip()
        if value:
            return name, value
    return None


def _existing(environ: Mapping[str, str], vault: str, bao: str) -> str | None:
    """The path in ``VAULT_*``/``BAO_*``; a ConfigError naming the variable if it is missing."""
    found = _env(environ, vault, bao)
    if found is None:
        return None
    name, value = found
    if not os.path.exists(value):
        raise ConfigError(f"${name} names {value!r}, which does not exist", code="vault-tls-file")
    return value


def skip_verify(environ: Mapping[str, str]) -> bool:
    """Whether ``VAULT_SKIP_VERIFY`` (or ``BAO_SKIP_VERIFY``) asks to skip verification."""
    found = _env(environ, "VAULT_SKIP_VERIFY", "BAO_SKIP_VERIFY")
    if found is None:
        return False
    name, value = found
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ConfigError(f"${name}: {value!r} is not true or false", code="vault-tls-skip")


def ca(environ: Mapping[str, str]) -> str | None:
    """The CA file (``VAULT_CACERT``, first) or CA directory (``VAULT_CAPATH``) to trust."""
    return _existing(environ, "VAULT_CACERT", "BAO_CACERT") or _existing(
        environ, "VAULT_CAPATH", "BAO_CAPATH"
    )


def client_cert(environ: Mapping[str, str]) -> tuple[str, str] | None:
    """Certificate and key for mutual TLS; both or neither."""
    cert = _existing(environ, "VAULT_CLIENT_CERT", "BAO_CLIENT_CERT")
    key = _existing(environ, "VAULT_CLIENT_KEY", "BAO_CLIENT_KEY")
    if (cert is None) != (key is None):
        raise ConfigError(
            "VAULT_CLIENT_CERT and VAULT_CLIENT_KEY must be set together", code="vault-tls-client"
        )
    return (cert, key) if cert is not None and key is not None else None


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_plain_http(addresses: Iterable[str], *, allow_http: bool) -> None:
    """A ConfigError for an address that is no http(s) URL, or ``http://`` off loopback
    unless the file allows it."""
    for address in addresses:
        parts = urlsplit(address)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ConfigError(
                f"the Vault address {address!r} is not a URL",
                hint="write it with its scheme: https://vault.example.com:8200 "
                "(VAULT_ADDR, [vault].addresses)",
                code="vault-bad-address",
            )
        if allow_http:
            continue
        if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
            raise ConfigError(
                f"refusing plain http to Vault at {address}: the token would cross the "
                "network unencrypted (use https, or set [vault] allow_http = true in the "
                "config file)",
                code="vault-plain-http",
            )


def warn_unverified(addresses: tuple[str, ...]) -> None:
    """Warn (once per process) that Vault's certificate is not being checked."""
    if addresses in _warned:
        return
    _warned.add(addresses)
    log.warning(
        "TLS verification of Vault is OFF (VAULT_SKIP_VERIFY or [vault] verify = false) "
        "for %s: anyone on the network path can read the token",
        ", ".join(addresses),
    )


def verify_for(address: str, *, verify: bool, ca_path: str | None) -> str | bool:
    """What requests' ``verify`` is for ``address``: False when verification is off,
    ``ca_path`` (VAULT_CACERT / VAULT_CAPATH) when set, else the bundle requests would use
    (``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``, or its own); True for plain http, which
    has nothing to verify (a bundle path there would only cost a ``stat`` per request)."""
    if not verify:
        return False
    if urlsplit(address).scheme != "https":
        return True
    if ca_path:
        return ca_path
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
