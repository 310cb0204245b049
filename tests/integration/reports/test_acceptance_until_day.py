"""`report accept --until DATE` round trip: the day given is the day shown, everywhere.

An acceptance dated ``2027-01-31`` lasts through the end of that day (UTC) and is
shown as ``2027-01-31T23:59:59Z`` (the one timestamp format), never as the next day's
midnight; it is in force on the day's last second and lapsed a second later.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner, Result

from accessguard.app import App
from accessguard.cli.main import cli
from accessguard.cli.report import report
from accessguard.clock import FixedClock
from support import rows
from support.reports_inventory import build_clean

NOTE = "agency hands over at the end of the month"


def _report(app: App, *args: str) -> Result:
    result = CliRunner().invoke(report, list(args), obj=app, catch_exceptions=False)
    assert result.exit_code in (0, 3), result.output
    return result


@pytest.fixture
def one_high(app: App) -> str:
    """A clean inventory plus one expired grant (a high finding)."""
    build_clean(app)
    now = app.clock.now()
    with app.begin() as conn:
        rows.person(conn, "temp@example.com", now=now)
        grant = rows.grant(
            conn, "temp@example.com", "brand-main", "editor", expires_at=now - timedelta(days=3)
        )
    return f"expired-grant:grant:{grant}"


def test_the_day_given_is_the_day_shown(app: App, clock: FixedClock, one_high: str) -> None:
    day = (clock.now() + timedelta(days=10)).date()
    shown = f"{day.isoformat()}T23:59:59Z"
    accepted = _report(app, "accept", one_high, "--until", day.isoformat(), "--reason", NOTE)
    assert f"until {shown}" in accepted.stderr
    listed = _report(app, "acceptances").stdout
    assert shown in listed
    assert (day + timedelta(days=1)).isoformat() not in listed
    listing = ["--db", app.settings.database_url, "report", "acceptances", "-o", "csv"]
    as_csv = CliRunner().invoke(cli, listing, catch_exceptions=False)  # the clock is now, pinned
    [row] = csv.DictReader(io.StringIO(as_csv.stdout))
    assert row["until"] == shown
    [as_json] = json.loads(_report(app, "acceptances", "--json").stdout)
    assert datetime.fromisoformat(as_json["until"]).date() == day
    assert shown in _report(app, "access").stdout
    [finding] = [
        r
        for r in csv.DictReader(io.StringIO(_report(app, "access", "--format", "csv").stdout))
        if r["id"] == one_high
    ]
    assert finding["accepted_until"] == shown
    again = ["--db", app.settings.database_url, "report", "accept", one_high]
    again += ["--until", day.isoformat(), "--reason", NOTE]
    refused = CliRunner().invoke(cli, again, catch_exceptions=False)
    assert refused.exit_code == 1
    assert f"is already accepted until {shown} by " in refused.stderr.splitlines()[0]


def test_it_lasts_through_the_last_second_of_that_day(
    app: App, clock: FixedClock, one_high: str
) -> None:
    day = (clock.now() + timedelta(days=10)).date()
    _report(app, "accept", one_high, "--until", day.isoformat(), "--reason", NOTE)
    last_second = datetime(day.year, day.month, day.day, 23, 59, 59, 500000, tzinfo=UTC)
    clock.advance(last_second - clock.now())
    assert _report(app, "access", "--fail-on", "high").exit_code == 0
    clock.advance(timedelta(seconds=1))
    assert _report(app, "access", "--fail-on", "high").exit_code == 3
