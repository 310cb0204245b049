"""Local secrets in the OS keyring (the Vault token and address stored by `accessguard login`).

A machine without a usable keyring backend gets a ``KeyringError`` that names the
alternatives (environment variables, installing a backend) instead of a traceback.
"""

from __future__ import annotations

import os
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


def no_backend_possible() -> bool:
    """True when keyring could only pick its no-op backend, told without importing keyring.

    Off macOS and Windows, keyring's own backends (Secret Service, KWallet, libsecret) all
    talk to a D-Bus session bus. With no bus, no PYTHON_KEYRING_BACKEND, no keyringrc.cfg
    and no backend from another package, keyring settles on its ``fail`` backend; importing
    it to learn that (with cryptography and D-Bus bindings) costs 30 ms or more of every
    command that falls back to the keyring, such as an offboarding's notify step.
    """
    if sys.platform in ("darwin", "win32") or "keyring" in sys.modules:
        return False  # a native backend, or keyring already loaded (and maybe set in code)
    if os.environ.get("PYTHON_KEYRING_BACKEND") or os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    if os.path.exists(os.path.join(config_home, "python_keyring", "keyringrc.cfg")):
        return False
    runtime_dir = os.environ.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
    if os.path.exists(os.path.join(runtime_dir, "bus")):
        return False
    from importlib.metadata import entry_points

    # keyring's own backends are its modules (reading each distribution's name would parse
    # its METADATA); a plugin's backend lives in the plugin's package.
    return all(
        ep.module.partition(".")[0] == "keyring" for ep in entry_points(group="keyring.backends")
    )


def _fail(action: str, exc: Exception) -> KeyringError:
    detail = type(exc).__name__
    return KeyringError(f"cannot {action} the OS keyring ({detail})", hint=_HINT, code="keyring")


def get_value(name: str) -> str | None:
    """A stored value, or None; a missing backend reads as "nothing stored"."""
    if no_backend_possible():
        return None
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


def keeps_values() -> bool:
    """Whether a keyring backend that stores anything is in use (not keyring's null or fail one)."""
    if no_backend_possible():
        return False
    from keyring.backends import fail, null

    backend = _keyring().get_keyring()
    return not isinstance(backend, null.Keyring | fail.Keyring)


def delete_value(name: str) -> bool:
    """Remove a stored value; False if there was none (always, with no backend that stores)."""
    if not keeps_values():
        return False
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
