"""Hostile CSV imports (people, accounts, grants) on SQLite and PostgreSQL.

Random cells, encodings, line endings, missing, repeated and extra columns: every file
ends in a list of changes or one clear AccessGuardError, never another exception (the
database's own limits included). A rejected file changes nothing, and an accepted one
imported again changes nothing more. Each example runs in a transaction rolled back
afterwards, so examples do not see each other.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection, func, select

from accessguard.app import App
from accessguard.db import tables
from accessguard.errors import AccessGuardError
from accessguard.inventory.account_import import ACCOUNT_OPTIONAL, ACCOUNT_REQUIRED
from accessguard.inventory.accounts import AccountInput, add_account
from accessguard.inventory.grant_import import GRANT_OPTIONAL, GRANT_REQUIRED
from accessguard.inventory.importers import (
    PEOPLE_COLUMNS,
    PEOPLE_OPTIONAL,
    import_accounts,
    import_grants,
    import_people,
)
from accessguard.inventory.people import PersonInput, add_person
from support.hostile import FAST, outcome

TRICKY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31mred",
    "line\nbreak",
    "x" * 400,
    "😀",
    "Zoë",
    '"',
    ",",
    ";;",
    '=HYPERLINK("http://x")',
    "2026-13-01",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "2027-01-01",
    "1e999",
    '{"page_id": NaN}',
    '{"page_id": Infinity}',
    '{"a": "\\u0000"}',
    "[" * 3000 + "]" * 3000,
    '{"a": ' * 2000 + "1" + "}" * 2000,
    "null",
    "[]",
    "../../etc",
    "brand-x",
    "x:@brand-x",
    "ann@example.com",
    "ANN@EXAMPLE.COM ",
    "a@" + "b" * 330 + ".com",
    "+1 555 0100",
]
GOOD: dict[str, list[str]] = {
    "email": ["new@example.com", "ann@example.com", "bob@example.com", "c@example.com"],
    "person": ["ann@example.com", "bob@example.com", "nobody@example.com"],
    "manager": ["", "bob@example.com", "ann@example.com", "new@example.com"],
    "name": ["Ann", "Bob", "brand-new", "brand-x", "a.b_c", "Brand-X"],
    "account": ["brand-x", "brand-fb", "x:@brand-x", "nope"],
    "platform": ["x", "facebook", "instagram", "myspace"],
    "handle": ["@brand-x", "@new", "handle"],
    "kind": ["", "employee", "contractor", "agency", "robot"],
    "status": ["", "active", "leaving", "departed", "Active"],
    "end_date": ["", "2026-12-31", "2020-01-01", "31/12/2026"],
    "criticality": ["", "low", "critical", "extreme"],
    "recovery_email": ["", "social@example.com", "not-an-email"],
    "recovery_phone": ["", "+1 555 0100", "call me"],
    "connector": ["", "meta", "manual", "nonexistent"],
    "tags": ["", "brand;shared-login", " a ; A ;"],
    "settings": ["", '{"page_id": "123"}', "[1]", "{bad", '{"n": 1.5, "l": [1, {"x": null}]}'],
    "role": ["admin", "editor", "Full-Control", ""],
    "via": ["shared-login", "platform-role", "suite-seat", "carrier-pigeon"],
    "expires": ["", "2027-06-30", "2001-01-01", "2027-06-30T12:00:00+02:00"],
    "reason": ["", "Head of Social"],
    "ticket": ["", "IT-1"],
    "department": ["", "Social", "Sales"],
    "display_name": ["", "Brand X"],
    "owner": ["", "ann@example.com", "nobody@example.com"],
}
#: A valid row per import (``{i}`` makes rows distinct); examples mutate one or two cells.
VALID: dict[str, dict[str, str]] = {
    "people": {"email": "new{i}@example.com", "name": "New {i}"},
    "accounts": {"name": "brand-new{i}", "platform": "x", "handle": "@new{i}"},
    "grants": {
        "person": "ann@example.com",
        "account": "brand-x",
        "role": "r{i}",
        "via": "suite-seat",
    },
}
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]

IMPORTERS: dict[str, tuple[Callable[..., Any], tuple[str, ...], tuple[str, ...]]] = {
    "people": (import_people, PEOPLE_COLUMNS, PEOPLE_OPTIONAL),
    "accounts": (import_accounts, ACCOUNT_REQUIRED, ACCOUNT_OPTIONAL),
    "grants": (import_grants, GRANT_REQUIRED, GRANT_OPTIONAL),
}


@pytest.fixture
def seeded(app: App) -> Iterator[App]:
    """Two people and two accounts that rows may refer to (committed once per test)."""
    with app.begin() as s:
        for email, name in (("ann@example.com", "Ann"), ("bob@example.com", "Bob")):
            add_person(s, app.clock, "setup", PersonInput(email, name))
        add_account(s, app.clock, "setup", AccountInput("brand-x", "x", "@brand-x"))
        add_account(s, app.clock, "setup", AccountInput("brand-fb", "facebook", "brand.fb"))
    yield app


def cell(column: str) -> st.SearchStrategy[str]:
    """A value for ``column``: plausible, tricky, or random text."""
    return st.one_of(
        st.sampled_from(GOOD.get(column.strip().lower(), ["x"])),
        st.sampled_from(TRICKY),
        st.text(max_size=25),
    )


def _row(draw: st.DrawFn, kind: str, header: list[str], i: int) -> list[str]:
    """Mostly a valid row with one or two hostile cells, sometimes all random cells."""
    if draw(st.integers(0, 3)) == 0:
        return [draw(cell(h)) for h in header]
    row = [VALID[kind].get(h, "").format(i=i) for h in header]
    for _ in range(draw(st.integers(1, 2))):
        if header:
            at = draw(st.integers(0, len(header) - 1))
            row[at] = draw(cell(header[at]))
    return row


@st.composite
def csv_files(draw: st.DrawFn, kind: str) -> bytes:
    """A CSV file as bytes: header (maybe broken), rows, encoding and line endings."""
    _, required, optional = IMPORTERS[kind]
    known = [*required, *optional]
    if draw(st.integers(0, 3)):
        header = list(draw(st.permutations(known)))
        header = header[: len(required) + draw(st.integers(0, len(optional)))]
        header = [h.upper() if draw(st.booleans()) and i == 0 else h for i, h in enumerate(header)]
    else:
        pool = [*known, "extra", "", " name ", "EMAIL"]
        header = draw(st.lists(st.sampled_from(pool), max_size=len(known) + 2))
    rows = [
        _row(draw, kind, header, i) + draw(st.lists(st.text(max_size=5), max_size=1))
        for i in range(draw(st.integers(0, 4)))
    ]
    if rows and draw(st.booleans()):
        rows[-1] = rows[-1][: draw(st.integers(0, len(rows[-1])))]  # a short row
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])),
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
    )
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    if draw(st.integers(0, 19)) == 0:
        return draw(st.binary(max_size=120))
    if draw(st.integers(0, 19)) == 0:
        cut = draw(st.integers(0, len(text)))
        text = text[:cut]
    return text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


def _counts(conn: Connection) -> tuple[int, ...]:
    return tuple(
        conn.execute(select(func.count()).select_from(table)).scalar_one()
        for table in (tables.people, tables.accounts, tables.grants, tables.audit_events)
    )


def _try_import(app: App, kind: str, data: bytes, dry_run: bool, tmp: Path) -> None:
    importer = IMPORTERS[kind][0]
    path = tmp / f"{kind}.csv"
    path.write_bytes(data)
    with app.engine.connect() as conn:
        transaction = conn.begin()
        try:
            before = _counts(conn)
            first = outcome(lambda: importer(conn, app.clock, "t", path, dry_run=dry_run))
            if isinstance(first, AccessGuardError) or dry_run:
                assert _counts(conn) == before, "a rejected or dry-run import wrote something"
                return
            again = outcome(lambda: importer(conn, app.clock, "t", path))
            assert again == [], f"importing the same file again changed {again}"
        finally:
            transaction.rollback()


@pytest.mark.parametrize("kind", sorted(IMPORTERS))
def test_hostile_csv(kind: str, seeded: App, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp(kind)

    @FAST
    @given(data=csv_files(kind), dry_run=st.booleans())
    def check(data: bytes, dry_run: bool) -> None:
        _try_import(seeded, kind, data, dry_run, tmp)

    check()
