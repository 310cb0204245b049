"""docs/reference.md is every command's help, regenerated from the commands: kept in sync here."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from accessguard.cli.reference import REGENERATE, main, render

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "reference.md"


def test_the_reference_matches_the_commands_help() -> None:
    expected = render()
    current = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
    if current != expected:
        diff = difflib.unified_diff(
            current.splitlines(), expected.splitlines(), "docs/reference.md", "the help", n=1
        )
        shown = "\n".join(list(diff)[:40])
        pytest.fail(
            f"docs/reference.md is out of date: regenerate it with `{REGENERATE}`\n{shown}",
            pytrace=False,
        )


def test_the_regenerate_command_writes_the_reference(tmp_path: Path) -> None:
    out = tmp_path / "reference.md"
    main([str(out)])
    assert out.read_text(encoding="utf-8") == render()


def test_every_command_has_a_section() -> None:
    text = render()
    for heading in ("## accessguard people add", "## accessguard runs confirm", "## accessguard"):
        assert f"\n{heading}\n" in text


def test_the_reference_shows_help_as_a_terminal_would() -> None:
    section = render().split("\n## accessguard people leave\n", 1)[1]
    assert "Usage: accessguard people leave [OPTIONS] PERSON" in section
