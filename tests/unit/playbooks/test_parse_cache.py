"""The playbook parse cache: same playbook as parsing, private files, never trusted blindly."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from accessguard.errors import PlaybookValidationError
from accessguard.playbooks.loader import (
    SHIPPED_DIR,
    _cache_path,
    _store,
    load_file,
    parse_playbook,
)

BOOK = """\
name: tiny
description: one step
steps:
  - id: mark
    action: mark-leaving
"""


def _cached(path: Path) -> list[Path]:
    from accessguard.config import data_dir

    return sorted((data_dir() / "cache" / "playbooks").glob("*.json"))


def test_a_cached_playbook_equals_the_parsed_one_and_the_file_is_private(tmp_path: Path) -> None:
    file = tmp_path / "tiny.yaml"
    file.write_text(BOOK)
    parsed = load_file(file)
    (entry,) = _cached(file)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert load_file(file) == parsed == parse_playbook(BOOK, file=str(file))


def test_shipped_playbooks_load_the_same_from_the_cache() -> None:
    for path in sorted(SHIPPED_DIR.glob("*.yaml")):
        first, second = load_file(path), load_file(path)
        assert first == second == parse_playbook(path.read_text(), file=str(path))


def test_a_cached_entry_that_no_longer_validates_gives_the_parsed_error(tmp_path: Path) -> None:
    bad = BOOK.replace("mark-leaving", "no-such-action")
    digest = __import__("hashlib").sha256(bad.encode()).hexdigest()
    entry = _cache_path(digest)
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(
        json.dumps(
            {
                "name": "tiny",
                "description": "x",
                "steps": [{"id": "mark", "action": "no-such-action"}],
            }
        )
    )
    file = tmp_path / "bad.yaml"
    file.write_text(bad)
    with pytest.raises(PlaybookValidationError, match=r"bad\.yaml:5"):  # the line, from parsing
        load_file(file)


def test_a_corrupt_or_foreign_cache_entry_is_ignored(tmp_path: Path) -> None:
    file = tmp_path / "tiny.yaml"
    file.write_text(BOOK)
    digest = __import__("hashlib").sha256(BOOK.encode()).hexdigest()
    entry = _cache_path(digest)
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text("{not json")
    assert load_file(file).name == "tiny"
    assert json.loads(entry.read_text())["name"] == "tiny"  # rewritten from the parse


@pytest.mark.parametrize(
    "data", [{"when": date(2026, 11, 21)}, {1: "int key"}, {"x": (1, 2)}], ids=str
)
def test_data_json_cannot_hold_exactly_is_not_cached(tmp_path: Path, data: object) -> None:
    entry = tmp_path / "entry.json"
    _store(entry, data)
    assert not entry.exists()
    _store(entry, {"fine": ["a", 1, True, None]})
    assert json.loads(entry.read_text()) == {"fine": ["a", 1, True, None]}


def test_an_offboarding_process_does_not_load_pyyaml_once_cached(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from accessguard.playbooks.loader import load_file, SHIPPED_DIR\n"
        "load_file(SHIPPED_DIR / 'standard.yaml')\n"
        "print('yaml' in sys.modules)\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert [r.stdout.strip() for r in runs] == ["True", "False"]
