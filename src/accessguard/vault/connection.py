"""Where the tool's Vault address, token and namespace come from.

Order: the environment (``VAULT_ADDR``/``VAULT_TOKEN``/``VAULT_NAMESPACE``, or the
``BAO_*`` names), then settings for addresses (``[vault].addresses`` / ``addr``), then
the OS keyring (stored by ``accessguard login``). The token is never read from the
config file. TLS settings (``VAULT_CACERT``, ``VAULT_CAPATH``, ``VAULT_CLIENT_CERT`` /
``VAULT_CLIENT_KEY``, ``VAULT_SKIP_VERIFY``) and the plain-http rule: ``vault/tls.py``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from accessguard.config import VaultSettings
from accessguard.errors import ConfigError
from accessguard.secret import Secret
from accessguard.vault import tls


@dataclass(frozen=True)
class Connection:
    """Everything needed to reach Vault; ``token`` may be None (health checks only)."""

    addresses: tuple[str, ...]
    token: Secret | None
    namespace: str | None
    timeout: int = 10
    verify: bool = True
    retry_seconds: float = 0.0
    ca_path: str | None = None  # VAULT_CACERT (a file) or VAULT_CAPATH (a directory)
    client_cert: tuple[str, str] | None = None  # (certificate, key) for mutual TLS


def _env(environ: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = environ.get(name, "").strip()
        if value:
            return value
    return None


def _split(value: str) -> list[str]:
    return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]


def resolve(
    settings: VaultSettings,
    *,
    environ: Mapping[str, str] | None = None,
    use_keyring: bool = True,
) -> Connection:
    """Addresses, token and namespace from environment, settings, then keyring."""
    from accessguard import secrets_store

    env = os.environ if environ is None else environ
    addresses: list[str] = []
    if env_addr := _env(env, "VAULT_ADDR", "BAO_ADDR"):
        addresses = _split(env_addr)
    else:
        addresses = [a.rstrip("/") for a in settings.addresses if a.strip()]
        if settings.addr and settings.addr.rstrip("/") not in addresses:
            addresses.insert(0, settings.addr.rstrip("/"))
    if not addresses and use_keyring and (stored := secrets_store.get_value("vault-addr")):
        addresses = _split(stored)
    if not addresses:
        raise ConfigError(
            "no Vault address configured",
            hint="set VAULT_ADDR, [vault].addresses in the config file, or run `accessguard login`",
            code="vault-no-address",
        )
    tls.refuse_plain_http(addresses, allow_http=settings.allow_http)
    token: Secret | None = None
    if env_token := _env(env, "VAULT_TOKEN", "BAO_TOKEN"):
        token = Secret(env_token)
    elif use_keyring:
        token = secrets_store.get_secret("vault-token")
    namespace = _env(env, "VAULT_NAMESPACE", "BAO_NAMESPACE") or settings.namespace or None
    # The namespace `accessguard login` stored belongs with the token it stored: a token
    # from the environment takes its namespace from the environment or the config file
    # (and the keyring, slow to load, is not opened at all).
    if namespace is None and use_keyring and env_token is None:
        namespace = secrets_store.get_value("vault-namespace") or None
    return Connection(
        addresses=tuple(dict.fromkeys(addresses)),
        token=token,
        namespace=namespace,
        timeout=settings.timeout,
        verify=settings.verify and not tls.skip_verify(env),
        retry_seconds=settings.retry_seconds,
        ca_path=tls.ca(env),
        client_cert=tls.client_cert(env),
    )
