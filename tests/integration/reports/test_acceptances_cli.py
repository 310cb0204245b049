"""`report accept | unaccept | acceptances` end to end, on SQLite and PostgreSQL.

The App is handed to the `report` group with its pinned clock (the injectable clock of
``clock.py``), so a test can let an acceptance expire; errors go through the root
command's error boundary.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner, Result

from accessguard.app import App
from accessguard.cli.main import cli
from accessguard.cli.report import report
from accessguard.clock import FixedClock
from support import rows
from support.reports_inventory import build_clean

NOTE = "temp keeps editing until the campaign ends"


def _report(app: App, *args: str) -> Result:
    """A `report` subcommand on ``app`` (and its clock)."""
    return CliRunner().invoke(report, list(args), obj=app, catch_exceptions=False)


def _root(app: App, *args: str) -> Result:
    """A whole command line through the root command (its error boundary)."""
    return CliRunner().invoke(
        cli, ["--db", app.settings.database_url, *args], catch_exceptions=False
    )


def _access_json(app: App) -> dict[str, Any]:
    result = _report(app, "access", "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture
def one_high(app: App) -> str:
    """A clean inventory plus one expired grant: the only finding at or above high."""
    build_clean(app)
    now = app.clock.now()
    with app.begin() as conn:
        rows.person(conn, "temp@example.com", now=now)
        grant = rows.grant(
            conn, "temp@example.com", "brand-main", "editor", expires_at=now - timedelta(days=3)
        )
    return f"expired-grant:grant:{grant}"


def _until(app: App, days: int) -> str:
    return (app.clock.now() + timedelta(days=days)).date().isoformat()


def test_fail_on_high_fails_then_passes_when_accepted_then_fails_at_expiry(
    app: App, clock: FixedClock, one_high: str
) -> None:
    assert _report(app, "access", "--fail-on", "high").exit_code == 3
    [high] = [f for f in _access_json(app)["findings"] if f["severity"] == "high"]
    assert high["id"] == one_high
    accepted = _report(app, "accept", one_high, "--until", _until(app, 10), "--note", NOTE)
    assert accepted.exit_code == 0, accepted.output
    assert _report(app, "access", "--fail-on", "high").exit_code == 0
    clock.advance(timedelta(days=12))
    assert _report(app, "access", "--fail-on", "high").exit_code == 3


def test_the_audit_log_shows_the_acceptance(app: App, one_high: str) -> None:
    _report(app, "accept", one_high, "--until", _until(app, 10), "--note", NOTE)
    events = json.loads(_root(app, "audit", "log", "--json").stdout)
    [event] = [e for e in events if e["action"] == "finding.accept"]
    assert (event["target"], event["details"]["note"]) == (one_high, NOTE)


def test_json_marks_the_accepted_finding_and_does_not_count_it(app: App, one_high: str) -> None:
    _report(app, "accept", one_high, "--until", _until(app, 10), "--note", NOTE)
    data = _access_json(app)
    [finding] = [f for f in data["findings"] if f["id"] == one_high]
    assert finding["accepted"]["note"] == NOTE
    assert finding["accepted"]["accepted_by"] == app.actor
    assert data["summary"]["accepted"] == 1
    assert "expired-grant" not in data["summary"]["by_kind"]


@pytest.mark.parametrize("fmt", ["table", "md", "html"])
def test_people_formats_show_who_accepted_until_when_and_why(
    app: App, one_high: str, fmt: str
) -> None:
    _report(app, "accept", one_high, "--until", _until(app, 10), "--note", NOTE)
    text = _report(app, "access", "--format", fmt).stdout
    assert one_high in text
    assert NOTE in text
    assert app.actor in text


def test_csv_carries_the_id_and_the_acceptance(app: App, one_high: str) -> None:
    _report(app, "accept", one_high, "--until", _until(app, 10), "--note", NOTE)
    table = list(csv.DictReader(io.StringIO(_report(app, "access", "--format", "csv").stdout)))
    [row] = [r for r in table if r["id"] == one_high]
    assert (row["accepted_by"], row["accepted_note"]) == (app.actor, NOTE)


def test_acceptances_lists_live_ones_then_expired_only_with_all(
    app: App, clock: FixedClock, one_high: str
) -> None:
    _report(app, "accept", one_high, "--until", _until(app, 10), "--note", NOTE)
    [live] = json.loads(_report(app, "acceptances", "--json").stdout)
    assert (live["finding"], live["severity"]) == (one_high, "high")
    clock.advance(timedelta(days=12))
    assert json.loads(_report(app, "acceptances", "--json").stdout) == []
    assert "expired" in _report(app, "acceptances", "--all").stdout


def test_unaccept_makes_it_count_again_and_is_audited(app: App, one_high: str) -> None:
    _report(app, "accept", one_high, "--until", _until(app, 10), "--note", NOTE)
    assert _report(app, "unaccept", one_high).exit_code == 0
    assert _report(app, "access", "--fail-on", "high").exit_code == 3
    events = json.loads(_root(app, "audit", "log", "--json").stdout)
    assert [e["action"] for e in events][-1] == "finding.unaccept"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--until", "2099-01-01"), 2),  # more than a year ahead
        (("--until", "someday"), 2),
        (("--until", "2001-01-01"), 2),  # past
        (("--note", ""), 2),
    ],
)
def test_bad_input_is_one_line_error_and_changes_nothing(
    app: App, one_high: str, args: tuple[str, str], code: int
) -> None:
    options = {"--until": _until(app, 10), "--note": NOTE}
    options[args[0]] = args[1]
    flat = [part for pair in options.items() for part in pair]
    result = _root(app, "report", "accept", one_high, *flat)
    assert result.exit_code == code
    assert result.stderr.startswith("error:")
    assert "Traceback" not in result.output
    assert json.loads(_report(app, "acceptances", "--all", "--json").stdout) == []


def test_accepting_a_finding_that_does_not_fire_is_refused(app: App, one_high: str) -> None:
    result = _root(
        app,
        "report",
        "accept",
        "no-admin:account:brand-main",
        "--until",
        _until(app, 5),
        "--note",
        NOTE,
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no current finding")


def test_a_hostile_note_stays_text_in_html_and_csv(app: App, one_high: str) -> None:
    note = '=HYPERLINK("http://evil.test") <script>alert(1)</script>'
    _report(app, "accept", one_high, "--until", _until(app, 10), "--note", note)
    html = _report(app, "access", "--format", "html").stdout
    assert "<script>alert(1)</script>" not in html
    table = list(csv.DictReader(io.StringIO(_report(app, "access", "--format", "csv").stdout)))
    [row] = [r for r in table if r["id"] == one_high]
    assert row["accepted_note"].startswith("'=")
