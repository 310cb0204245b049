"""Playbook validation: shipped playbooks validate; every error names file, line and key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from accessguard.cli.main import cli
from accessguard.errors import PlaybookValidationError
from accessguard.playbooks.action_specs import SPECS
from accessguard.playbooks.loader import SHIPPED_DIR, parse_playbook
from accessguard.playbooks.registry import ACTIONS

ROOT = Path(__file__).resolve().parents[3]

GOOD = """\
name: mine
description: test
steps:
  - id: first
    action: mark-leaving
  - id: revoke
    action: revoke-access
    for_each: {source: grants, via: [platform-role]}
    on_failure: continue
"""


def test_shipped_playbooks_validate_and_root_links_point_at_them() -> None:
    names = sorted(p.stem for p in SHIPPED_DIR.glob("*.yaml"))
    assert names == ["contractor", "immediate", "standard"]
    for name in names:
        book = parse_playbook((SHIPPED_DIR / f"{name}.yaml").read_text(), file=name)
        assert book.name == name and book.destructive
        root_copy = ROOT / "playbooks" / f"{name}.yaml"
        assert root_copy.read_text() == (SHIPPED_DIR / f"{name}.yaml").read_text()


def test_every_action_has_an_implementation() -> None:
    assert set(ACTIONS) == set(SPECS)


def test_good_playbook_parses() -> None:
    book = parse_playbook(GOOD, file="mine.yaml")
    assert [s.id for s in book.steps] == ["first", "revoke"]
    assert book.steps[1].for_each is not None
    assert book.steps[1].for_each.filters == {"via": ("platform-role",)}
    assert book.steps[1].on_failure == "continue" and book.steps[1].destructive


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD.replace("action: mark-leaving", "action: mark-leavin"),
            "f.yaml:5: steps.0.action: unknown action",
        ),
        (
            GOOD.replace("on_failure: continue", "on_failure: maybe"),
            "f.yaml:9: steps.1.on_failure: must be stop or continue",
        ),
        (
            GOOD.replace("via: [platform-role]", "vias: [x]"),
            "f.yaml:8: steps.1.for_each.vias: unknown key",
        ),
        (
            GOOD.replace("source: grants", "source: nothing"),
            "f.yaml:8: steps.1.for_each.source: source must be one of",
        ),
        (GOOD.replace("id: revoke", "id: first"), "f.yaml:6: steps.1.id: duplicate step id"),
        (GOOD.replace("id: revoke", "id: Bad Id"), "f.yaml:6: steps.1.id: must be"),
        (
            GOOD.replace("    for_each: {source: grants, via: [platform-role]}\n", ""),
            "f.yaml:6: steps.1: action revoke-access needs for_each",
        ),
        (GOOD.replace("description: test", "descr: test"), "f.yaml:2: descr: unknown key"),
        (
            GOOD + "    when: {kind: contractor, mood: happy}\n",
            "f.yaml:10: steps.1.when.mood: unknown key",
        ),
        (
            GOOD + "  - id: n\n    action: notify\n",
            "f.yaml:10: steps.2.args: missing required argument `channel`",
        ),
        (
            GOOD + "  - id: n\n    action: notify\n    args: {channel: fax}\n",
            "f.yaml:12: steps.2.args.channel: must be one of",
        ),
        ("name: x\nname: y\n", "f.yaml:2: name: duplicate key"),
        ("name: [unclosed\n", "f.yaml:2: not valid YAML"),
        ("", "f.yaml:1: (top level): a playbook must be a mapping"),
    ],
)
def test_errors_name_file_line_and_key(text: str, expected: str) -> None:
    with pytest.raises(PlaybookValidationError) as info:
        parse_playbook(text, file="f.yaml")
    assert info.value.message.startswith(expected), info.value.message


def test_cli_validate_list_show(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("on_failure: continue", "on_failure: 3"))
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["playbooks", "validate", "--json", str(bad), str(SHIPPED_DIR / "standard.yaml")],
        catch_exceptions=False,
    )
    assert result.exit_code == 2
    rows = json.loads(result.output)
    assert rows[0]["ok"] is False and f"{bad}:9: steps.1.on_failure" in rows[0]["error"]
    assert rows[1]["ok"] is True
    mine = tmp_path / "books"
    mine.mkdir()
    (mine / "standard.yaml").write_text(GOOD.replace("name: mine", "name: standard"))
    env = {"ACCESSGUARD_OFFBOARDING_PLAYBOOK_DIRS": str(mine)}
    listed = json.loads(
        runner.invoke(cli, ["playbooks", "list", "--json"], env=env, catch_exceptions=False).output
    )
    assert [(r["name"], r["shadowed"]) for r in listed] == [
        ("standard", False),
        ("contractor", False),
        ("immediate", False),
        ("standard", True),
    ]
    shown = json.loads(
        runner.invoke(
            cli, ["playbooks", "show", "standard", "--json"], env=env, catch_exceptions=False
        ).output
    )
    assert shown["path"] == str(mine / "standard.yaml") and len(shown["steps"]) == 2
    missing = runner.invoke(cli, ["playbooks", "show", "nope"], catch_exceptions=False)
    assert missing.exit_code == 1 and "no playbook named 'nope'" in missing.output
