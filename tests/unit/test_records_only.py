"""One schema, one door (issue 15): no module of the product maps a model or opens a session.

Every module under ``src/accessguard`` reads and writes ``db/tables/`` through records
and Core statements, in the transaction ``App.begin()`` opens; the services below the
engine take the caller's connection and never begin or commit one themselves.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import accessguard

SRC = Path(accessguard.__file__).parent
MODULES = sorted(str(path.relative_to(SRC)) for path in SRC.rglob("*.py"))
#: The packages whose functions take the caller's connection: the engine, the commands
#: and the door itself (``app.py``, ``cli/``, ``playbooks/``, ``reviews/``, Alembic's
#: ``env.py``) are the ones that open transactions.
SERVICES = ("audit", "inventory", "credentials", "connectors", "vault", "reconcile", "reports")
SERVICE_MODULES = [module for module in MODULES if module.split("/")[0] in SERVICES]
#: What the ORM layer was: ``sqlalchemy.orm``, the mapped classes and their lookups.
FORBIDDEN = ("sqlalchemy.orm",)
FORBIDDEN_TAILS = (".models", ".lookup")


def imported_names(source: str) -> set[str]:
    """Every module ``source`` imports, including ``from X import Y`` as ``X.Y`` (Y may be a module)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names.add(base)
            names.update(f"{base.rstrip('.')}.{alias.name}" for alias in node.names)
    return names


def orm_imports(source: str) -> set[str]:
    """The imports of ``source`` that reach the ORM or a model layer."""
    return {
        name
        for name in imported_names(source)
        if name.startswith(FORBIDDEN) or name.endswith(FORBIDDEN_TAILS)
    }


def test_the_scan_sees_every_module() -> None:
    assert "db/tables/__init__.py" in MODULES
    assert "db/migrations/env.py" in MODULES
    assert len(SERVICE_MODULES) > 40


@pytest.mark.parametrize(
    "source",
    [
        "import sqlalchemy.orm",
        "from sqlalchemy.orm import Session",
        "from sqlalchemy import orm",
        "from accessguard.inventory.models import Person",
        "from accessguard.inventory import models",
        "from . import lookup",
        "def f():\n    from sqlalchemy.orm import sessionmaker\n",
        "if TYPE_CHECKING:\n    from sqlalchemy.orm import Session\n",
    ],
)
def test_the_scan_catches_an_orm_import(source: str) -> None:
    assert orm_imports(source)


@pytest.mark.parametrize(
    "source", ["from sqlalchemy import select", "import sqlalchemy", "from . import records"]
)
def test_the_scan_lets_core_pass(source: str) -> None:
    assert orm_imports(source) == set()


@pytest.mark.parametrize("module", MODULES)
def test_no_module_imports_the_orm_or_a_model_layer(module: str) -> None:
    assert orm_imports((SRC / module).read_text()) == set()


@pytest.mark.parametrize("module", MODULES)
def test_no_module_opens_a_session(module: str) -> None:
    """``App.begin()`` is the one door: nothing asks for an ORM session or a session factory."""
    text = (SRC / module).read_text()
    for call in (".transaction(", ".sessions", "sessionmaker", "session_factory"):
        assert call not in text, call


@pytest.mark.parametrize("module", SERVICE_MODULES)
def test_no_service_opens_its_own_transaction(module: str) -> None:
    """Services take the caller's connection: none begins or commits."""
    text = (SRC / module).read_text()
    for call in (".begin(", ".commit("):
        assert call not in text, call
