"""The HR feed end to end through the CLI on SQLite and PostgreSQL: full feeds and their
threshold, column mapping, departed people who stay departed, rehires as new employments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from accessguard.db.engine import make_engine
from support.inventory import PEOPLE_HEADER, invoke, invoke_json, seed, write_csv

# The CLI runs on the system clock: dates are relative to today.
TODAY = datetime.now(UTC).date()
PAST = (TODAY - timedelta(days=30)).isoformat()
EMPTY = (None, None, None, None, None)


def _staff(n: int) -> list[tuple[Any, ...]]:
    return [(f"p{i:02d}@example.com", f"Person {i}", *EMPTY) for i in range(n)]


def _state(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables an import may write."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))]
                for t in ("people", "employments", "grants", "audit_events")
            }
    finally:
        engine.dispose()


def _import(url: str, path: Path, *args: str) -> dict[str, Any]:
    result: dict[str, Any] = invoke_json(url, "people", "import", str(path), *args)
    return result


def _person(url: str, email: str) -> dict[str, Any]:
    person: dict[str, Any] = invoke_json(url, "people", "show", email)
    return person


def test_full_feed_marks_the_absent_leaving_today_audited(
    database_url: str, tmp_path: Path
) -> None:
    url = database_url
    staff = _staff(12)
    _import(url, write_csv(tmp_path / "all.csv", PEOPLE_HEADER, staff))
    assert (
        invoke(url, "people", "add", "hand@example.com", "--name", "Added By Hand").exit_code == 0
    )
    feed = write_csv(tmp_path / "full.csv", PEOPLE_HEADER, staff[1:])  # p00 is gone

    result = _import(url, feed, "--full")

    assert result["counts"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 11,
        "leaving": 1,
        "rehired": 0,
        "refused": 0,
    }
    (change,) = result["changes"]
    assert (change["action"], change["target"]) == ("leave", "p00@example.com")
    gone = _person(url, "p00@example.com")
    assert (gone["status"], gone["end_date"]) == ("leaving", TODAY.isoformat())
    # people the feed never brought in are not the feed's to remove
    assert _person(url, "hand@example.com")["status"] == "active"
    assert _person(url, "p01@example.com")["status"] == "active"
    events = invoke_json(url, "audit", "log", "--limit", "1")
    assert events[-1]["action"] == "person.update"
    assert events[-1]["target"] == "p00@example.com"
    assert events[-1]["details"]["reason"] == "absent from the full HR feed full.csv"
    again = _import(url, feed, "--full")
    assert again["changes"] == []


def test_a_full_feed_over_the_threshold_changes_nothing(database_url: str, tmp_path: Path) -> None:
    url = database_url
    staff = _staff(12)
    _import(url, write_csv(tmp_path / "all.csv", PEOPLE_HEADER, staff))
    short = write_csv(tmp_path / "short.csv", PEOPLE_HEADER, staff[3:])  # 3 of 12 absent
    before = _state(url)

    for extra in ((), ("--dry-run",), ("--max-leaving", "20")):
        result = invoke(url, "people", "import", str(short), "--full", *extra)
        assert result.exit_code == 1
        first, hint = result.stderr.splitlines()[:2]
        limit = extra[-1] if extra and extra[0] == "--max-leaving" else "10"
        assert first == (
            "error: the full feed would mark 3 of 12 people leaving (25%),"
            f" more than --max-leaving {limit}%; nothing was changed"
        )
        assert "--max-leaving 26" in hint
        assert "Traceback" not in result.output
        assert _state(url) == before

    accepted = _import(url, short, "--full", "--max-leaving", "26")
    assert accepted["counts"]["leaving"] == 3
    assert _person(url, "p02@example.com")["status"] == "leaving"


def test_dry_run_reports_the_same_result_and_writes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    url = database_url
    staff = _staff(4)
    _import(url, write_csv(tmp_path / "all.csv", PEOPLE_HEADER, staff))
    rows = [*staff[1:], ("new@example.com", "New Person", *EMPTY)]
    feed = write_csv(tmp_path / "next.csv", PEOPLE_HEADER, rows)
    before = _state(url)
    planned = _import(url, feed, "--full", "--max-leaving", "50", "--dry-run")
    assert _state(url) == before
    applied = _import(url, feed, "--full", "--max-leaving", "50")
    assert planned["dry_run"] is True
    assert planned["changes"] == applied["changes"]
    assert planned["counts"] == applied["counts"]
    assert applied["counts"]["created"] == 1
    assert applied["counts"]["leaving"] == 1


MAPPED_HEADER = ("Employee ID", "Work Email", "Full Name", "Dept", "Termination Date")


def test_column_mapping_reads_an_hr_export(database_url: str, tmp_path: Path) -> None:
    url = database_url
    feed = write_csv(
        tmp_path / "export.csv",
        MAPPED_HEADER,
        [
            ("E1", "Ann@Example.com", "Ann Lee", "Social", None),
            ("E2", "bo@example.com", "Bo Ray", "Brand", "2099-01-31"),
        ],
    )
    mapping = "email=Work Email, name=Full Name,department=Dept,leave_date=Termination Date"
    result = _import(url, feed, "--map", mapping)
    assert result["counts"]["created"] == 2
    ann, bo = _person(url, "ann@example.com"), _person(url, "bo@example.com")
    assert (ann["name"], ann["department"], ann["status"]) == ("Ann Lee", "Social", "active")
    assert (bo["status"], bo["end_date"]) == ("leaving", "2099-01-31")
    # without the mapping the export is refused, naming a column it does not know
    plain = invoke(url, "people", "import", str(feed))
    assert plain.exit_code == 2
    assert plain.stderr.startswith(f"error: {feed}:1:email: missing column")


def test_column_mapping_errors_name_the_field_or_column(database_url: str, tmp_path: Path) -> None:
    url = database_url
    feed = write_csv(tmp_path / "export.csv", MAPPED_HEADER, [("E1", "a@example.com", "A", "", "")])
    before = _state(url)
    cases = {
        "mail=Work Email,name=Full Name": "error: --map: unknown field 'mail'",
        "email=Work Mail,name=Full Name": (
            f"error: {feed}:1:Work Mail: missing column (named by --map email=Work Mail)"
        ),
        "email": "error: --map: 'email' is not FIELD=COLUMN",
        "email=Work Email,email=Dept": "error: --map: field 'email' is mapped twice",
    }
    for mapping, message in cases.items():
        result = invoke(url, "people", "import", str(feed), "--map", mapping)
        assert result.exit_code == 2, mapping
        assert result.stderr.splitlines()[0] == message
        assert "Traceback" not in result.output
    assert _state(url) == before


def test_a_departed_person_never_comes_back_through_the_feed(
    database_url: str, tmp_path: Path
) -> None:
    url = database_url
    rows = [("gone@example.com", "Gail Gone", None, None, None, "leaving", PAST)]
    feed = write_csv(tmp_path / "hr.csv", PEOPLE_HEADER, rows)
    _import(url, feed)
    assert invoke(url, "people", "leave", "gone@example.com", "--on", PAST).exit_code == 0
    assert _person(url, "gone@example.com")["status"] == "departed"
    before = _state(url)

    assert _import(url, feed)["changes"] == []  # the same feed again: nothing
    back = [("gone@example.com", "Gail Gone", None, None, None, "active", None)]
    result = _import(url, write_csv(tmp_path / "back.csv", PEOPLE_HEADER, back))
    (refusal,) = result["changes"]
    assert refusal["action"] == "refuse"
    assert refusal["fields"] == {"status": ["departed", "active"]}
    assert result["counts"]["refused"] == 1
    later = [("gone@example.com", "Gail Gone", None, None, None, None, "2099-01-01")]
    _import(url, write_csv(tmp_path / "later.csv", PEOPLE_HEADER, later))
    assert _state(url) == before
    assert invoke_json(url, "leavers", "run", "--dry-run")["leavers"] == []


REHIRE_HEADER = (*PEOPLE_HEADER, "start_date")


def test_a_rehire_is_a_new_employment_and_the_old_history_stays(
    database_url: str, tmp_path: Path
) -> None:
    url = seeded = database_url
    seed(seeded, tmp_path)
    bob = "bob@example.com"
    assert invoke(url, "people", "leave", bob, "--on", PAST).exit_code == 0
    start = (TODAY + timedelta(days=7)).isoformat()
    row = (bob, "Bob Editor", "Social", "ann@example.com", None, None, None, start)
    feed = write_csv(tmp_path / "rehire.csv", REHIRE_HEADER, [row])

    # Bob still holds brand-x: the offboarding has not finished, the rehire waits
    held = _import(url, feed)
    assert [c["action"] for c in held["changes"]] == ["refuse"]
    assert "finish the offboarding" in held["changes"][0]["note"]
    assert _person(url, bob)["status"] == "departed"
    cli = invoke(url, "people", "rehire", bob, "--start", start)
    assert cli.exit_code == 1
    assert cli.stderr.startswith(f"error: {bob} still holds 1 grant(s)")

    assert invoke(url, "revoke", bob, "brand-x", "--reason", "left").exit_code == 0
    before = invoke_json(url, "people", "history", bob)
    result = _import(url, feed)
    assert result["counts"]["rehired"] == 1
    assert _import(url, feed)["changes"] == []  # a rehire happens once
    person = _person(url, bob)
    assert (person["status"], person["end_date"], person["grants"]) == ("active", None, [])
    grant = invoke(url, "grant", bob, "brand-ig", "--role", "editor", "--via", "platform-role")
    assert grant.exit_code == 0

    history = invoke_json(url, "people", "history", bob)
    old, new = history["employments"]
    was = before["employments"][0]
    assert {k: v for k, v in old.items() if k != "grants"} == {
        k: v for k, v in was.items() if k != "grants"
    } | {"closed_at": old["closed_at"], "closed_by": "tester@example.com", "current": False}
    # the grants of the old employment are untouched (the person's status is today's)
    assert [g | {"person_status": "-"} for g in old["grants"]] == [
        g | {"person_status": "-"} for g in was["grants"]
    ]
    assert (old["status"], old["end_date"]) == ("departed", PAST)
    assert [(g["account"], g["revoke_reason"]) for g in old["grants"]] == [("brand-x", "left")]
    assert (new["number"], new["status"], new["start_date"]) == (2, "active", start)
    assert [(g["account"], g["active"]) for g in new["grants"]] == [("brand-ig", True)]
    events = invoke_json(url, "audit", "log", "--limit", "3")
    rehire = next(e for e in events if e["action"] == "person.rehire")
    assert rehire["details"]["employment"] == 2
    assert rehire["details"]["previous"]["end_date"] == PAST
    assert invoke_json(url, "audit", "verify")["ok"] is True
    # the table writes the closing time as every table does: UTC, seconds, Z
    closed = datetime.fromisoformat(old["closed_at"]).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f", closed {closed}\n" in invoke(url, "people", "history", bob).stdout


def test_people_rehire_refuses_what_is_not_a_rehire(database_url: str, tmp_path: Path) -> None:
    url = database_url
    seed(url, tmp_path)
    before = _state(url)
    active = invoke(url, "people", "rehire", "ann@example.com", "--start", TODAY.isoformat())
    assert active.exit_code == 1
    assert "ann@example.com is active, not departed" in active.stderr
    assert invoke(url, "revoke", "cy@agency.example", "brand-ig", "--reason", "x").exit_code == 0
    assert invoke(url, "people", "leave", "cy@agency.example", "--on", PAST).exit_code == 0
    early = invoke(url, "people", "rehire", "cy@agency.example", "--start", PAST)
    assert early.exit_code == 1
    assert f"left on {PAST}; a rehire must start after that" in early.stderr
    assert _state(url)["employments"] != []
    assert len(_state(url)["employments"]) == len(before["employments"])


def test_the_threshold_counts_new_end_dates_with_absences(
    database_url: str, tmp_path: Path
) -> None:
    url = database_url
    staff = _staff(12)
    _import(url, write_csv(tmp_path / "all.csv", PEOPLE_HEADER, staff))
    ending = [(*row[:6], PAST) if i < 2 else row for i, row in enumerate(staff[1:])]
    feed = write_csv(tmp_path / "ending.csv", PEOPLE_HEADER, ending)  # 1 absent, 2 ending
    before = _state(url)
    result = invoke(url, "people", "import", str(feed), "--full")
    assert result.exit_code == 1
    assert "would mark 3 of 12 people leaving (25%)" in result.stderr
    assert _state(url) == before
    # without --full the same file is an ordinary update: no absences, no threshold
    assert _import(url, feed)["counts"]["leaving"] == 2
