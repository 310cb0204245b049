"""CSV imports on SQLite and PostgreSQL: all or nothing, leavers, dry runs, re-imports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from accessguard.app import App
from accessguard.audit.chain import find_events, verify
from accessguard.errors import InputError
from accessguard.inventory.importers import import_people
from accessguard.inventory.people import PersonInput, add_person, list_people
from accessguard.inventory.records import PersonRecord
from support.inventory import PEOPLE_HEADER, counts, write_csv

# The app fixture's clock is pinned to 2026-11-02.
GOOD_ROWS = [
    ("lead@example.com", "Lena Lead", "Social", None, "employee", None, None),
    ("new@example.com", "Nico New", "Social", "boss@example.com", None, None, None),
    ("soon@example.com", "Sam Soon", "Social", "lead@example.com", None, None, "2026-12-01"),
    ("gone@example.com", "Gail Gone", "Brand", "lead@example.com", None, None, "2026-10-15"),
    (
        "stay@example.com",
        "Stan Stay",
        "Brand",
        "lead@example.com",
        "contractor",
        "active",
        "2026-10-01",
    ),
    # the manager is defined after the people who report to them
    ("boss@example.com", "Bea Boss", "Executive", None, "employee", None, None),
]


def _people(app: App) -> dict[str, PersonRecord]:
    with app.begin() as conn:
        return {p.email: p for p in list_people(conn)}


def test_hr_feed_adds_people_and_marks_leavers(app: App, tmp_path: Path) -> None:
    feed = write_csv(tmp_path / "hr.csv", PEOPLE_HEADER, GOOD_ROWS)
    with app.begin() as conn:
        changes = import_people(conn, app.clock, app.actor, feed)
    assert [c.action for c in changes] == ["add"] * 6
    assert {c.target for c in changes if c.note == "leaver"} == {
        "soon@example.com",
        "gone@example.com",
    }
    people = _people(app)
    assert people["lead@example.com"].status == "active"
    assert people["soon@example.com"].status == "leaving"
    assert people["soon@example.com"].end_date == date(2026, 12, 1)
    assert people["gone@example.com"].status == "departed"
    # an explicit status wins over the end date
    assert people["stay@example.com"].status == "active"
    assert people["stay@example.com"].kind == "contractor"
    assert people["new@example.com"].manager_email == "boss@example.com"
    assert {p.source for p in people.values()} == {"hr-import"}
    with app.begin() as conn:
        assert len(find_events(conn)) == 6
        assert verify(conn).ok


def test_reimport_is_a_no_op_and_updates_only_what_changed(app: App, tmp_path: Path) -> None:
    with app.begin() as conn:
        add_person(conn, app.clock, app.actor, PersonInput("lead@example.com", "Lena"))
    feed = write_csv(tmp_path / "hr.csv", PEOPLE_HEADER, GOOD_ROWS)
    with app.begin() as conn:
        first = import_people(conn, app.clock, app.actor, feed)
    update = next(c for c in first if c.target == "lead@example.com")
    assert update.action == "update"
    assert update.fields == {
        "name": ["Lena", "Lena Lead"],
        "department": [None, "Social"],
        "source": ["manual", "hr-import"],
    }
    with app.begin() as conn:
        assert import_people(conn, app.clock, app.actor, feed) == []

    rows = [list(r) for r in GOOD_ROWS]
    rows[0][6] = "2026-11-20"  # Lena is now leaving
    rows[3][5:7] = ["active", None]  # Gail departed: an explicit active is refused
    feed2 = write_csv(tmp_path / "hr2.csv", PEOPLE_HEADER, rows)
    with app.begin() as conn:
        changes = {c.target: c for c in import_people(conn, app.clock, app.actor, feed2)}
    assert set(changes) == {"lead@example.com", "gone@example.com"}
    assert changes["lead@example.com"].fields == {
        "status": ["active", "leaving"],
        "end_date": [None, "2026-11-20"],
    }
    assert changes["lead@example.com"].note == "leaver"
    assert changes["gone@example.com"].action == "refuse"
    assert changes["gone@example.com"].fields == {"status": ["departed", "active"]}
    people = _people(app)
    assert people["gone@example.com"].status == "departed"
    assert people["gone@example.com"].end_date == date(2026, 10, 15)


def test_blank_end_date_never_brings_a_departed_person_back(app: App, tmp_path: Path) -> None:
    feed = write_csv(tmp_path / "hr.csv", PEOPLE_HEADER, GOOD_ROWS)
    with app.begin() as conn:
        import_people(conn, app.clock, app.actor, feed)
    rows = [list(r) for r in GOOD_ROWS]
    rows[3][6] = "2027-01-31"  # a later end date, no status: still departed
    feed2 = write_csv(tmp_path / "hr2.csv", PEOPLE_HEADER, rows)
    with app.begin() as conn:
        import_people(conn, app.clock, app.actor, feed2)
    assert _people(app)["gone@example.com"].status == "departed"


BAD_FILES = {
    "missing-column": (
        [c for c in PEOPLE_HEADER if c != "name"],
        None,
        ":1:name: missing column",
    ),
    "bad-date": (PEOPLE_HEADER, (3, 6, "2026-02-30"), ":5:end_date: '2026-02-30' is not a date"),
    "bad-email": (PEOPLE_HEADER, (2, 0, "not-an-email"), ":4:email: 'not-an-email'"),
    "unknown-manager": (
        PEOPLE_HEADER,
        (5, 3, "nobody@example.com"),
        ":7:manager: unknown manager nobody@example.com",
    ),
    "duplicate": (PEOPLE_HEADER, (3, 0, "new@example.com"), ":5:email: new@example.com already"),
    "bad-kind": (PEOPLE_HEADER, (1, 4, "robot"), ":3:kind: 'robot' is not one of"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_one_bad_row_changes_nothing(app: App, tmp_path: Path, case: str) -> None:
    header, edit, expected = BAD_FILES[case]
    with app.begin() as conn:  # something already in the database
        add_person(conn, app.clock, app.actor, PersonInput("old@example.com", "Olive Old"))
    before = counts(app.settings.database_url)
    rows = [list(r) for r in GOOD_ROWS]
    if edit is not None:
        index, column, value = edit
        rows[index][column] = value
    else:
        rows = [[v for c, v in zip(PEOPLE_HEADER, r) if c in header] for r in rows]
    feed = write_csv(tmp_path / "hr.csv", header, rows)
    with pytest.raises(InputError) as caught, app.begin() as conn:
        import_people(conn, app.clock, app.actor, feed)
    assert f"{feed}{expected}" in caught.value.message
    assert "nothing was written" in (caught.value.hint or "")
    assert counts(app.settings.database_url) == before
    assert set(_people(app)) == {"old@example.com"}


def test_every_bad_row_is_named(app: App, tmp_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][0] = "bad"
    rows[2][6] = "soon"
    feed = write_csv(tmp_path / "hr.csv", PEOPLE_HEADER, rows)
    with pytest.raises(InputError) as caught, app.begin() as conn:
        import_people(conn, app.clock, app.actor, feed)
    assert caught.value.problems == [  # type: ignore[attr-defined]
        f"{feed}:3:email: 'bad' is not a valid email address",
        f"{feed}:4:end_date: 'soon' is not a date (YYYY-MM-DD)",
    ]


def test_dry_run_plans_the_same_changes_and_writes_nothing(app: App, tmp_path: Path) -> None:
    feed = write_csv(tmp_path / "hr.csv", PEOPLE_HEADER, GOOD_ROWS)
    before = counts(app.settings.database_url)
    with app.begin() as conn:
        planned = import_people(conn, app.clock, app.actor, feed, dry_run=True)
    assert counts(app.settings.database_url) == before
    with app.begin() as conn:
        applied = import_people(conn, app.clock, app.actor, feed)
    assert [c.to_dict() for c in planned] == [c.to_dict() for c in applied]
    assert len(applied) == len(GOOD_ROWS)
