"""Models of layers that may be absent from a build: the rules that need them skip quietly.

The credentials layer (Vault custody) and the connectors layer (reconcile drift) own
their tables; reports only read them.
"""

from __future__ import annotations

import importlib
from types import ModuleType


def _optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None
        raise


def credential_models() -> ModuleType | None:
    """``accessguard.credentials.models`` when installed."""
    return _optional("accessguard.credentials.models")


def connector_models() -> ModuleType | None:
    """``accessguard.connectors.models`` when installed."""
    return _optional("accessguard.connectors.models")
