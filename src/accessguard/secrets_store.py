"""Local secrets in the OS keyring (the Vault token and address stored by `accessguard login`).

A machine without a usable keyring backend gets a ``KeyringError`` that names the
alternatives (environment variables, installing a backend) instead of a traceback.
"""

from __future__ import annotations

import sys
from typing import Any

from accessguard.errors import KeyringError
from accessguard.secret import Secret

SERVICE = "accessguard"
VAULT_TOKEN = "vault-token"
VAULT_ADDR = "vault-addr"
VAULT_NAMESPACE = "vault-namespace"

_HINT = (
    "set VAULT_ADDR and VAULT_TOKEN in the environment instead, or install a keyring backend "
    "(Secret Service / KWallet on Linux, or `pip install keyrings.alt` for a file backend) "
    "and select it with PYTHON_KEYRING_BACKEND"
)


def _keyring() -> Any:
    if sys.platform != "darwin":
        # keyring imports its macOS backend's ctypes bindings everywhere; on Linux their
        # ctypes.util.find_library runs ldconfig and a C compiler (over 100 ms, and a
        # process per framework). That backend is never usable off macOS: block the import.
        sys.modules.setdefault("keyring.backends.macOS.api", None)  # type: ignore[arg-type]
    import keyring

    return keyring


def _fail(action: str, exc: Exception) -> KeyringError:
    detail = type(exc).__name__
    return KeyringError(f"cannot {action} the OS keyring ({detail})", hint=_HINT, code="keyring")


def get_value(name: str) -> str | None:
    """A stored value, or None; a missing backend reads as "nothing stored"."""
    keyring = _keyring()
    from keyring.errors import KeyringError as _BackendError

    try:
        value: str | None = keyring.get_password(SERVICE, name)
    except (_BackendError, RuntimeError):
        return None
    return value


def get_secret(name: str) -> Secret | None:
    """A stored secret wrapped in ``Secret``, or None."""
    value = get_value(name)
    return Secret(value) if value else None


def set_value(name: str, value: str | Secret) -> None:
    """Store a value; raises KeyringError when no backend keeps it."""
    keyring = _keyring()
    from keyring.errors import KeyringError as _BackendError

    raw = value.reveal() if isinstance(value, Secret) else value
    try:
        keyring.set_password(SERVICE, name, raw)
        stored = keyring.get_password(SERVICE, name)
    except (_BackendError, RuntimeError) as exc:
        raise _fail("write to", exc) from None
    if stored != raw:
        raise KeyringError(
            "the OS keyring backend did not keep the value (no usable backend)",
            hint=_HINT,
            code="keyring",
        )


def delete_value(name: str) -> bool:
    """Remove a stored value; False if there was none."""
    keyring = _keyring()
    from keyring.errors import KeyringError as _BackendError
    from keyring.errors import PasswordDeleteError

    try:
        keyring.delete_password(SERVICE, name)
    except PasswordDeleteError:
        return False
    except (_BackendError, RuntimeError) as exc:
        raise _fail("delete from", exc) from None
    return True
