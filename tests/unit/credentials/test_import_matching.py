"""Which inventory account an exported entry is for (``credentials/importing.py`` rules),
on an in-memory inventory: nothing here touches Vault (no account has a login yet).

Usernames become ``Secret``s, which the process-wide redaction then masks in any later
output: the names here are odd on purpose, so no other test's output is masked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine

from accessguard.credentials.import_formats import Entry
from accessguard.credentials.importing import ImportPlan, plan_import, read_map
from accessguard.db import tables
from accessguard.errors import InputError
from accessguard.secret import Secret
from support.records import Inventory


@pytest.fixture
def conn() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    tables.metadata.create_all(engine)
    with engine.begin() as connection:
        inventory = Inventory(connection)
        inventory.account("um-brand-x", platform="x")  # handles are "@<name>"
        inventory.account("um-brand", platform="facebook")
        inventory.account("um-shop", platform="snapchat")
        yield connection
    engine.dispose()


def entry(name: str, url: str = "", username: str = "", **kwargs: str) -> Entry:
    host = url.split("/")[2] if "://" in url else ""
    return Entry(
        where=f"export:{name}",
        name=name,
        hosts=(host,) if host else (),
        username=Secret(username) if username else None,
        password=Secret("Xq7!unit-test-pw"),
        totp=None,
        **kwargs,
    )


def plan(conn: Connection, *entries: Entry, mapping=None) -> ImportPlan:
    return plan_import(conn, vault=None, entries=list(entries), mapping=mapping)  # type: ignore[arg-type]


def matched(result: ImportPlan) -> dict[str, str]:
    return {i.entry.name: i.account.name for i in result.items}


def test_an_entry_named_like_the_account_matches_in_any_case(conn) -> None:
    assert matched(plan(conn, entry("UM-Brand-X"))) == {"UM-Brand-X": "um-brand-x"}


def test_an_entry_named_platform_handle_matches(conn) -> None:
    assert matched(plan(conn, entry("x:@um-brand-x"))) == {"x:@um-brand-x": "um-brand-x"}


def test_site_and_handle_match_ignoring_the_at_and_case(conn) -> None:
    found = plan(conn, entry("Twitter", "https://mobile.twitter.com/login", "UM-BRAND-X"))
    assert matched(found) == {"Twitter": "um-brand-x"}


def test_the_handle_on_another_site_does_not_match(conn) -> None:
    found = plan(conn, entry("Bank", "https://bank.example/", "um-brand-x"))
    assert [e.name for e in found.unmatched] == ["Bank"]


def test_the_site_with_another_username_does_not_match(conn) -> None:
    found = plan(conn, entry("My own X", "https://x.com/", "um-me-myself"))
    assert [e.name for e in found.unmatched] == ["My own X"]


def test_a_platform_without_known_domains_matches_its_own_name(conn) -> None:
    found = plan(conn, entry("Snap", "https://accounts.snapchat.com/", "@um-shop"))
    assert matched(found) == {"Snap": "um-shop"}


def test_an_entry_matching_two_accounts_is_an_error(conn) -> None:
    Inventory(conn).account("um-brand-biz", platform="meta-business")
    conn.execute(
        tables.accounts.update()
        .where(tables.accounts.c.name == "um-brand-biz")
        .values(handle="@um-brand")
    )
    with pytest.raises(InputError, match="matches several accounts"):
        plan(conn, entry("Meta", "https://business.facebook.com/", "um-brand"))


def test_a_map_names_the_account(conn, tmp_path: Path) -> None:
    path = tmp_path / "map.csv"
    path.write_text("entry,account\nShared login,um-brand-x\n")
    found = plan(conn, entry("shared LOGIN"), mapping=read_map(path))
    assert matched(found) == {"shared LOGIN": "um-brand-x"}


def test_a_map_naming_an_unknown_account_is_an_error_naming_its_row(conn, tmp_path) -> None:
    path = tmp_path / "map.csv"
    path.write_text("entry,account\nShared login,um-brand-x\nOther,um-brand-typo\n")
    with pytest.raises(InputError, match=r"map\.csv:3: no account 'um-brand-typo'"):
        plan(conn, entry("Shared login"), mapping=read_map(path))
