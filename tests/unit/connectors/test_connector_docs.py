"""docs/connectors.md keeps up with the connectors: a section each, every setting, secret and version.

For every connector in ``registry.BUILTINS`` the page must have a section "what is
automated and what stays manual" ("what stays manual" for ``manual``) whose heading names
the connector in backticks, or whose text introduces it as ``Name (`name`...``), naming
each secret the connector reads;
a row of the settings table whose required column lists exactly its required settings
and which, with the section, names every setting it declares; and, for a connector
with an ``api_version`` setting, a row of the API versions table naming its default.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from accessguard.connectors.registry import BUILTINS, connector_class

DOC = Path(__file__).resolve().parents[3] / "docs" / "connectors.md"
SECTION = "what stays manual"
#: Connectors whose sections other changes are writing (the integrator empties this once
#: their headings name them in backticks, as "### Meta (`meta`): what is automated ...").
AWAITING: set[str] = set()
CHECKED = sorted(set(BUILTINS) - AWAITING)


def _sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) of every ``###`` section."""
    parts = re.split(r"^### (.+)$", text, flags=re.MULTILINE)
    return [(parts[i], parts[i + 1].split("\n## ")[0]) for i in range(1, len(parts) - 1, 2)]


def _table(text: str, header: str) -> dict[str, list[str]]:
    """Rows of the markdown table under ``header``, by the backticked name in the first cell."""
    start = text.index(header)
    rows: dict[str, list[str]] = {}
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        for name in re.findall(r"`([^`]+)`", cells[0]):
            rows[name] = cells[1:]
    return rows


def _named(text: str) -> set[str]:
    return set(re.findall(r"`([^`]+)`", text))


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _section_of(doc: str, name: str) -> str:
    found = [
        f"{heading}\n{body}"
        for heading, body in _sections(doc)
        if SECTION in heading and (f"`{name}`" in heading or f"(`{name}`" in body)
    ]
    assert found, f"docs/connectors.md has no '{SECTION}' section for `{name}`"
    return "\n".join(found)


@pytest.mark.parametrize("name", CHECKED)
def test_every_connector_has_a_section_naming_its_secrets(doc: str, name: str) -> None:
    section = _section_of(doc, name)
    missing = set(connector_class(name).secret_keys) - _named(section)
    assert not missing, f"the `{name}` section does not name its secrets {sorted(missing)}"


@pytest.mark.parametrize("name", CHECKED)
def test_the_settings_table_lists_exactly_the_required_settings(doc: str, name: str) -> None:
    rows = _table(doc, "| connector | required | optional |")
    assert name in rows, f"the settings table has no row for `{name}`"
    required = _named(re.sub(r"\([^)]*\)", "", rows[name][0]))  # not the examples in (...)
    assert required == set(connector_class(name).required_settings())


@pytest.mark.parametrize("name", CHECKED)
def test_every_setting_is_named(doc: str, name: str) -> None:
    rows = _table(doc, "| connector | required | optional |")
    named = _named(" ".join(rows.get(name, []))) | _named(_section_of(doc, name))
    missing = {s.name for s in connector_class(name).settings_spec} - named
    assert not missing, f"docs/connectors.md never names `{name}`'s settings {sorted(missing)}"


@pytest.mark.parametrize("name", CHECKED)
def test_the_api_version_table_names_the_default(doc: str, name: str) -> None:
    rows = _table(doc, "| connector | default | setting | when it is retired |")
    assert name in rows, f"the API versions table has no row for `{name}`"
    cls = connector_class(name)
    if any(s.name == "api_version" for s in cls.settings_spec):
        default = getattr(importlib.import_module(cls.__module__), "DEFAULT_VERSION")
        assert default in rows[name][0]
        assert "api_version" in _named(rows[name][1])
