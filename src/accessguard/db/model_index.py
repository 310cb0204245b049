"""Where every model module is listed, so Alembic and tests see the whole schema.

This is the one place in ``db/`` that names the layers above it; it imports them
only when called (by the migration environment and the schema test).
"""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "accessguard.inventory.models",
    "accessguard.audit.models",
    "accessguard.credentials.models",
    "accessguard.playbooks.models",
    "accessguard.connectors.models",
    "accessguard.reviews.models",
)


def import_all_models() -> None:
    """Import every model module so ``Base.metadata`` holds every table."""
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise
