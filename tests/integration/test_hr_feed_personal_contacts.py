"""The HR feed's personal email and phone (SQLite and PostgreSQL): stored, shown by
``people show`` only, never listed, printed in import output nor written to the audit log;
and the access report finds an account whose recovery channel is a leaver's own."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from accessguard.db.engine import make_engine
from support.inventory import counts, invoke, invoke_json, write_csv

HEADER = ("email", "name", "status", "end_date", "personal_email", "personal_phone")
HOME = "chloe.home@mail.test"
PHONE = "+33 6 12 34 56 78"
ROWS = [
    ("chloe@example.com", "Chloe Leaver", "leaving", "2026-12-01", HOME, PHONE),
    ("ann@example.com", "Ann Admin", None, None, None, None),
]


def _audit_text(url: str) -> str:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = [tuple(r) for r in conn.execute(text("SELECT * FROM audit_events"))]
    engine.dispose()
    return repr(found)


def test_feed_stores_personal_contacts_and_people_show_reveals_them(
    database_url: str, tmp_path: Path
) -> None:
    invoke_json(database_url, "people", "import", str(write_csv(tmp_path / "hr.csv", HEADER, ROWS)))
    shown = invoke_json(database_url, "people", "show", "chloe@example.com")
    assert (shown["personal_email"], shown["personal_phone"]) == (HOME, PHONE)


def test_personal_contacts_are_never_listed_printed_nor_audited(
    database_url: str, tmp_path: Path
) -> None:
    feed = write_csv(tmp_path / "hr.csv", HEADER, ROWS)
    printed = invoke(database_url, "people", "import", str(feed))
    changed = [("chloe@example.com", "Chloe Leaver", "leaving", "2026-12-01", "c@mail.test", "")]
    again = invoke(
        database_url, "people", "import", str(write_csv(tmp_path / "b.csv", HEADER, changed))
    )
    listed = invoke(database_url, "people", "list")
    listed_json = invoke(database_url, "people", "list", "--json")
    outputs = [printed, again, listed, listed_json]
    seen = "".join(r.stdout + r.stderr for r in outputs) + _audit_text(database_url)
    for secret in (HOME, "c@mail.test", PHONE, "612345678"):
        assert secret not in seen, secret


def test_map_reads_personal_contacts_from_other_columns(database_url: str, tmp_path: Path) -> None:
    header = ("Work Email", "Full Name", "Home Email", "Mobile")
    feed = write_csv(tmp_path / "hr.csv", header, [("dan@example.com", "Dan", HOME, PHONE)])
    mapping = "email=Work Email,name=Full Name,personal_email=Home Email,personal_phone=Mobile"
    invoke_json(database_url, "people", "import", str(feed), "--map", mapping)
    shown = invoke_json(database_url, "people", "show", "dan@example.com")
    assert (shown["personal_email"], shown["personal_phone"]) == (HOME, PHONE)


def test_a_bad_personal_email_names_the_cell_and_changes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    rows = [*ROWS, ("eve@example.com", "Eve", None, None, "not-an-email", None)]
    result = invoke(
        database_url, "people", "import", str(write_csv(tmp_path / "hr.csv", HEADER, rows))
    )
    assert result.exit_code != 0
    assert "hr.csv:4:personal_email" in result.stderr
    assert "Traceback" not in result.stderr
    assert counts(database_url)["people"] == 0


def test_a_feed_without_the_columns_keeps_them_and_a_blank_cell_clears(
    database_url: str, tmp_path: Path
) -> None:
    invoke_json(database_url, "people", "import", str(write_csv(tmp_path / "a.csv", HEADER, ROWS)))
    plain = [("chloe@example.com", "Chloe Leaver")]
    invoke_json(
        database_url,
        "people",
        "import",
        str(write_csv(tmp_path / "b.csv", ("email", "name"), plain)),
    )
    kept = invoke_json(database_url, "people", "show", "chloe@example.com")
    blank = [("chloe@example.com", "Chloe Leaver", None, None, None, PHONE)]
    invoke_json(database_url, "people", "import", str(write_csv(tmp_path / "c.csv", HEADER, blank)))
    cleared = invoke_json(database_url, "people", "show", "chloe@example.com")
    assert (kept["personal_email"], cleared["personal_email"]) == (HOME, None)


def test_report_finds_a_recovery_email_that_is_a_leavers_own(
    database_url: str, tmp_path: Path
) -> None:
    invoke_json(database_url, "people", "import", str(write_csv(tmp_path / "hr.csv", HEADER, ROWS)))
    invoke_json(
        database_url, "accounts", "add", "brand-fb", "--platform", "facebook", "--handle",
        "brand", "--recovery-email", HOME.upper(),
    )  # fmt: skip
    result = invoke(database_url, "report", "access", "--format", "json")
    report = json.loads(result.stdout)
    found = {(f["kind"], f["account"], f["severity"]) for f in report["findings"]}
    assert ("recovery-leaver", "brand-fb", "high") in found
