"""inventory/ and audit/ work on records and Core tables only (issue 15: one way in)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import accessguard

SRC = Path(accessguard.__file__).parent
#: The ORM mapping kept for the packages not yet on records, and its lookups; both go
#: when nothing imports them any more.
LEGACY = {"inventory/models.py", "inventory/lookup.py"}
MODULES = sorted(
    str(path.relative_to(SRC))
    for package in ("inventory", "audit")
    for path in (SRC / package).glob("*.py")
    if str(path.relative_to(SRC)) not in LEGACY
)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", MODULES)
def test_no_orm_and_no_models(module: str) -> None:
    imported = _imports(SRC / module)
    assert not {name for name in imported if name.startswith("sqlalchemy.orm")}
    assert not {name for name in imported if name.endswith(".models") or name.endswith("lookup")}


@pytest.mark.parametrize("module", MODULES)
def test_no_module_opens_its_own_transaction(module: str) -> None:
    """Services take the caller's connection: none begins, commits or opens a session."""
    text = (SRC / module).read_text()
    for call in (".transaction(", ".begin(", ".commit(", ".sessions("):
        assert call not in text, call
