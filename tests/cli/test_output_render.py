"""The renderers of ``cli/output.py``: CSV quoting and the formula guard, NDJSON, timestamps."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from accessguard.cli.output import (
    NO_CSV,
    Color,
    Format,
    OutputSettings,
    cell,
    color_enabled,
    console,
    emit_json,
    info,
    table,
    using,
)
from accessguard.errors import UsageError

WHEN = datetime(2026, 12, 2, 21, 15, 3, 123456, tzinfo=UTC)


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_cell_writes_every_timestamp_as_utc_seconds_and_z() -> None:
    plus_one = timezone(timedelta(hours=1))
    assert cell(WHEN) == "2026-12-02T21:15:03Z"
    assert cell(WHEN.astimezone(plus_one)) == "2026-12-02T21:15:03Z"
    assert cell("2026-12-02T21:15:03.123456+00:00") == "2026-12-02T21:15:03Z"
    assert cell("2026-12-02T22:15:03+01:00") == "2026-12-02T21:15:03Z"
    assert cell("2026-12-02 21:15:03") == "2026-12-02T21:15:03Z"
    assert cell("2026-12-02") == "2026-12-02"  # a date stays a date
    assert cell("release 2026-12-02T21:15:03") == "release 2026-12-02T21:15:03"


def test_csv_quotes_commas_quotes_and_newlines(capsys: pytest.CaptureFixture[str]) -> None:
    tricky = 'a, "b"\nc'
    with using(OutputSettings(format=Format.CSV)):
        table(["name", "note"], [["x", tricky]])
    assert _csv(capsys.readouterr().out) == [["name", "note"], ["x", tricky]]


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_neutralises_spreadsheet_formulas(
    capsys: pytest.CaptureFixture[str], lead: str
) -> None:
    attack = f'{lead}HYPERLINK("https://evil.example")'
    with using(OutputSettings(format=Format.CSV)):
        emit_json([{"name": attack, "tags": [attack]}])
        table(["name"], [[attack]])
    rows = _csv(capsys.readouterr().out)
    assert rows[1] == ["'" + attack, "'" + attack]
    assert rows[3] == ["'" + attack]


def test_csv_of_nested_data_is_refused_before_printing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with using(OutputSettings(format=Format.CSV)), pytest.raises(UsageError) as caught:
        emit_json([["ann", "bob"], ["cy"]])  # rows without column names
    assert caught.value.message == NO_CSV
    assert capsys.readouterr().out == ""


def test_csv_of_a_record_with_one_list_prints_the_list_beside_objects(
    capsys: pytest.CaptureFixture[str],
) -> None:
    campaign = {"campaign": 1, "counts": {"keep": 0}, "items": [{"item": 1}, {"item": 2}]}
    with using(OutputSettings(format=Format.CSV)):
        emit_json(campaign)
    assert _csv(capsys.readouterr().out) == [["item"], ["1"], ["2"]]


def test_csv_writes_an_object_value_as_one_cell_of_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    attack = {"id": "=1+1"}
    nested = [{"name": "page_id", "required": True}]
    with using(OutputSettings(format=Format.CSV)):
        emit_json(
            [{"name": "brand-x", "settings": {"page_id": "110"}, "more": attack, "n": nested}]
        )
    rows = _csv(capsys.readouterr().out)
    assert rows[1] == [
        "brand-x",
        '{"page_id":"110"}',
        '{"id":"=1+1"}',
        '[{"name":"page_id","required":true}]',
    ]


def test_csv_of_an_empty_list_prints_nothing_not_a_blank_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with using(OutputSettings(format=Format.CSV)):
        emit_json([])
    assert capsys.readouterr().out == ""


def test_csv_of_timestamps_nothing_and_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with using(OutputSettings(format=Format.CSV, headers=False)):
        emit_json({"at": WHEN.isoformat(), "gone": None, "active": True})
    assert _csv(capsys.readouterr().out) == [["2026-12-02T21:15:03Z", "", "true"]]


def test_ndjson_prints_a_list_one_object_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    with using(OutputSettings(format=Format.NDJSON)):
        emit_json([{"a": 1}, {"a": 2}])
        table(["a", "b"], [[3, "x"]])
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in lines] == [{"a": 1}, {"a": 2}, {"a": 3, "b": "x"}]


def test_json_keeps_timestamps_as_given(capsys: pytest.CaptureFixture[str]) -> None:
    # the audit trail hashes its times to the microsecond: JSON must not round them
    emit_json({"at": WHEN.isoformat()})
    assert json.loads(capsys.readouterr().out) == {"at": WHEN.isoformat()}


def test_quiet_silences_notes_and_titles(capsys: pytest.CaptureFixture[str]) -> None:
    with using(OutputSettings(quiet=True)):
        info("added brand-x")
        table(["name"], [], title="accounts")
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out == "NAME\n"


def test_quiet_still_reports_problems(capsys: pytest.CaptureFixture[str]) -> None:
    with using(OutputSettings(quiet=True)):
        info("error: audit trail broken at event 7: hash mismatch")
        info("warning: group ag-brand-x is missing")
        info("note: no checkpoint yet")
    assert capsys.readouterr().err.splitlines() == [
        "error: audit trail broken at event 7: hash mismatch",
        "warning: group ag-brand-x is missing",
    ]


def test_color_follows_the_option_then_no_color_then_the_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert color_enabled(isatty=True)
    assert not color_enabled(isatty=False)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not color_enabled(isatty=True)
    with using(OutputSettings(color=Color.ALWAYS)):
        assert color_enabled(isatty=False)
    monkeypatch.delenv("NO_COLOR")
    with using(OutputSettings(color=Color.NEVER)):
        assert not color_enabled(isatty=True)


@pytest.mark.parametrize(("no_color", "escapes"), [("1", False), ("", True)])
def test_a_terminal_table_is_coloured_unless_no_color(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    no_color: str,
    escapes: bool,
) -> None:
    import sys

    monkeypatch.setenv("NO_COLOR", no_color)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    table(["name", "at"], [["brand-x", WHEN]], title="accounts")
    out = capsys.readouterr().out
    assert ("\x1b[" in out) is escapes
    assert "2026-12-02T21:15:03Z" in out


def test_progress_consoles_follow_the_colour_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert console(stderr=True).color_system is None
    with using(OutputSettings(color=Color.ALWAYS)):
        assert console(stderr=True).color_system is not None


def test_pick_reaches_into_objects(capsys: pytest.CaptureFixture[str]) -> None:
    with using(OutputSettings(field="token.ttl")):
        emit_json({"token": {"ttl": 60}, "sealed": False})
    with using(OutputSettings(field="sealed")):
        emit_json([{"sealed": False}, {"sealed": None}])
    assert capsys.readouterr().out.splitlines() == ["60", "false", ""]


def test_csv_of_a_record_with_one_list_prints_the_list(
    capsys: pytest.CaptureFixture[str],
) -> None:
    grants = [{"person": "ann", "role": "admin"}, {"person": "bob", "role": "editor"}]
    with using(OutputSettings(format=Format.CSV)):
        emit_json({"account": "brand-x", "history": False, "grants": grants})
    assert _csv(capsys.readouterr().out) == [
        ["person", "role"],
        ["ann", "admin"],
        ["bob", "editor"],
    ]
    with using(OutputSettings(format=Format.CSV)), pytest.raises(UsageError):
        emit_json({"a": [{"x": 1}], "b": [{"y": 2}]})  # two lists: which one is meant?


def test_json_writes_datetime_objects_as_iso_strings(capsys: pytest.CaptureFixture[str]) -> None:
    emit_json({"at": WHEN})
    assert json.loads(capsys.readouterr().out) == {"at": "2026-12-02T21:15:03.123456+00:00"}


def test_field_reaches_into_the_one_list_of_records_as_csv_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    grants = [{"person": "ann", "role": "admin"}, {"person": "bob", "role": "editor"}]
    with using(OutputSettings(format=Format.JSON, field="person")):
        emit_json({"account": "brand-x", "grants": grants})
    with using(OutputSettings(format=Format.JSON, field="account")):
        emit_json({"account": "brand-x", "grants": grants})
    assert capsys.readouterr().out.splitlines() == ["ann", "bob", "brand-x"]
    with using(OutputSettings(field="nope")), pytest.raises(UsageError) as caught:
        emit_json({"account": "brand-x", "grants": grants})
    assert caught.value.hint == "fields: account, grants, person, role"
