"""Account and grant imports on SQLite and PostgreSQL: all or nothing, updates, re-imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessguard.app import App
from accessguard.audit.chain import iter_events, verify
from accessguard.errors import InputError
from accessguard.inventory.accounts import list_accounts
from accessguard.inventory.grants import holdings, revoke_grants, who_has
from accessguard.inventory.importers import import_accounts, import_grants, import_people
from accessguard.inventory.records import AccountRecord
from support.inventory import PEOPLE_HEADER, counts, write_csv

ACCOUNT_HEADER = (
    "name",
    "platform",
    "handle",
    "display_name",
    "owner",
    "criticality",
    "recovery_email",
    "recovery_phone",
    "connector",
    "tags",
    "settings",
)
ACCOUNTS = [
    (
        "brand-fb",
        "facebook",
        "Brand",
        "Brand",
        "ann@example.com",
        "critical",
        "social@example.com",
        "+1 555 0100",
        "meta",
        "brand;meta",
        '{"page_id": "123"}',
    ),
    (
        "brand-x",
        "x",
        "BrandX",
        None,
        None,
        "high",
        "someone@gmail.example",
        None,
        None,
        "shared-login",
        None,
    ),
]
GRANT_HEADER = ("person", "account", "role", "via", "expires", "reason", "ticket")
GRANTS = [
    ("ann@example.com", "brand-fb", "admin", "platform-role", None, "owner", "T-1"),
    ("bob@example.com", "facebook:Brand", "editor", "platform-role", "2027-01-31", None, None),
    ("ann@example.com", "brand-x", "full-control", "shared-login", None, None, None),
    ("bob@example.com", "brand-x", "full-control", "shared-login", None, None, None),
]


@pytest.fixture
def people(app: App, tmp_path: Path) -> None:
    feed = write_csv(
        tmp_path / "people.csv",
        PEOPLE_HEADER,
        [
            ("ann@example.com", "Ann", "Social", None, None, None, None),
            ("bob@example.com", "Bob", "Social", "ann@example.com", None, None, None),
            ("gone@example.com", "Gus", "Social", None, None, None, "2026-01-31"),
        ],
    )
    with app.begin() as conn:
        import_people(conn, app.clock, app.actor, feed)


def _import_accounts(app: App, path: Path, *, dry_run: bool = False) -> list:
    with app.begin() as conn:
        return import_accounts(
            conn,
            app.clock,
            app.actor,
            path,
            dry_run=dry_run,
            company_domains=["example.com"],
            company_phone_prefixes=["+1555"],
        )


def _accounts(app: App) -> dict[str, AccountRecord]:
    with app.begin() as conn:
        return {a.name: a for a in list_accounts(conn)}


@pytest.mark.usefixtures("people")
def test_accounts_import_adds_then_updates(app: App, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "accounts.csv", ACCOUNT_HEADER, ACCOUNTS)
    assert [c.action for c in _import_accounts(app, path)] == ["add", "add"]
    accounts = _accounts(app)
    fb, x = accounts["brand-fb"], accounts["brand-x"]
    assert fb.settings == {"page_id": "123"} and fb.tags == ["brand", "meta"]
    assert fb.recovery_email_company is True and fb.recovery_phone_company is True
    assert x.recovery_email_company is False and x.owner_id is None
    assert _import_accounts(app, path) == []  # the same file again: nothing to do

    rows = [list(r) for r in ACCOUNTS]
    rows[1][4] = "bob@example.com"
    rows[1][6] = "x-recovery@example.com"
    path2 = write_csv(tmp_path / "accounts2.csv", ACCOUNT_HEADER, rows)
    (change,) = _import_accounts(app, path2)
    assert change.action == "update" and change.target == "brand-x"
    assert change.fields == {
        "owner": [None, "bob@example.com"],
        "recovery_email": ["someone@gmail.example", "x-recovery@example.com"],
    }
    x = _accounts(app)["brand-x"]
    assert x.recovery_email_company is True and x.owner_id is not None
    with app.begin() as conn:
        actions = [e.action for e in iter_events(conn)]
        assert actions[-3:] == ["account.add", "account.add", "account.update"]
        assert verify(conn).ok


@pytest.mark.usefixtures("people")
def test_columns_left_out_leave_existing_values_alone(app: App, tmp_path: Path) -> None:
    _import_accounts(app, write_csv(tmp_path / "a.csv", ACCOUNT_HEADER, ACCOUNTS))
    path = write_csv(
        tmp_path / "b.csv",
        ("name", "platform", "handle", "criticality"),
        [("brand-fb", "facebook", "Brand", "medium")],
    )
    (change,) = _import_accounts(app, path)
    assert change.fields == {"criticality": ["critical", "medium"]}
    fb = _accounts(app)["brand-fb"]
    assert fb.owner_id is not None and fb.settings == {"page_id": "123"}
    assert fb.criticality == "medium"


BAD_ACCOUNTS = {
    "unknown-platform": ((0, 1, "myspace"), ":2:platform: 'myspace' is not one of"),
    "unknown-owner": ((1, 4, "nobody@example.com"), ":3:owner: unknown owner nobody@example.com"),
    "bad-settings": ((0, 10, "{page_id: 1}"), ":2:settings: not valid JSON"),
    "settings-not-object": ((0, 10, "[1, 2]"), ":2:settings: must be a JSON object"),
    "bad-name": ((1, 0, "../etc"), ":3:name: account name '../etc' must be"),
    "duplicate-name": ((1, 0, "brand-fb"), ":3:name: brand-fb already appears on row 2"),
    "duplicate-handle": ((1, 1, "facebook"), ":3:handle: facebook:BrandX"),
    "bad-phone": ((0, 7, "call me"), ":2:recovery_phone: 'call me' is not a phone number"),
}


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("case", sorted(BAD_ACCOUNTS))
def test_one_bad_account_row_changes_nothing(app: App, tmp_path: Path, case: str) -> None:
    (index, column, value), expected = BAD_ACCOUNTS[case]
    rows = [list(r) for r in ACCOUNTS]
    rows[index][column] = value
    if case == "duplicate-handle":
        rows[1][2] = "BrandX"
        rows[0][2] = "BrandX"
    path = write_csv(tmp_path / "accounts.csv", ACCOUNT_HEADER, rows)
    before = counts(app.settings.database_url)
    with pytest.raises(InputError) as caught:
        _import_accounts(app, path)
    assert f"{path}{expected}" in caught.value.message
    assert counts(app.settings.database_url) == before


@pytest.mark.usefixtures("people")
def test_account_platform_cannot_change(app: App, tmp_path: Path) -> None:
    _import_accounts(app, write_csv(tmp_path / "a.csv", ACCOUNT_HEADER, ACCOUNTS))
    rows = [list(r) for r in ACCOUNTS]
    rows[1][1] = "youtube"
    path = write_csv(tmp_path / "b.csv", ACCOUNT_HEADER, rows)
    with pytest.raises(InputError, match=r":3:platform: brand-x is a x account"):
        _import_accounts(app, path)


@pytest.fixture
def accounts(app: App, tmp_path: Path, people: None) -> None:
    _import_accounts(app, write_csv(tmp_path / "accounts.csv", ACCOUNT_HEADER, ACCOUNTS))


def _import_grants(app: App, path: Path, *, dry_run: bool = False) -> list:
    with app.begin() as conn:
        return import_grants(conn, app.clock, app.actor, path, dry_run=dry_run)


@pytest.mark.usefixtures("accounts")
def test_grants_import_adds_grants_once(app: App, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "grants.csv", GRANT_HEADER, GRANTS)
    before = counts(app.settings.database_url)
    planned = _import_grants(app, path, dry_run=True)
    assert counts(app.settings.database_url) == before
    applied = _import_grants(app, path)
    assert [c.to_dict() for c in planned] == [c.to_dict() for c in applied]
    assert len(applied) == 4
    with app.begin() as conn:
        fb = who_has(conn, "brand-fb")
        assert [(g["person"], g["role"]) for g in fb] == [
            ("ann@example.com", "admin"),
            ("bob@example.com", "editor"),
        ]
        assert fb[1]["expires_at"].startswith("2027-01-31")
        assert fb[0]["ticket"] == "T-1"
    assert _import_grants(app, path) == []  # held grants are left alone
    with app.begin() as conn:
        revoke_grants(
            conn,
            app.clock,
            app.actor,
            person_email="bob@example.com",
            account_ref="brand-x",
            reason="moved team",
        )
    (again,) = _import_grants(app, path)  # a revoked grant can be given again
    assert again.target == "bob@example.com@brand-x"
    with app.begin() as conn:
        assert len(holdings(conn, "bob@example.com", history=True)) == 3


BAD_GRANTS = {
    "unknown-person": ((0, 0, "zed@example.com"), ":2:person: unknown person zed@example.com"),
    "unknown-account": ((1, 1, "brand-tiktok"), ":3:account: unknown account 'brand-tiktok'"),
    "departed": ((2, 0, "gone@example.com"), ":4:person: gone@example.com has departed"),
    "bad-via": ((3, 3, "telepathy"), ":5:via: 'telepathy' is not one of"),
    "past-expiry": ((1, 4, "2020-01-01"), ":3:expires: 2020-01-01 is not in the future"),
    "bad-expiry": ((1, 4, "next week"), ":3:expires: 'next week' is not a date"),
    "duplicate": ((3, 0, "ann@example.com"), ":5:role: the same grant already appears on row 4"),
    "empty-role": ((0, 2, ""), ":2:role: must not be empty"),
}


@pytest.mark.usefixtures("accounts")
@pytest.mark.parametrize("case", sorted(BAD_GRANTS))
def test_one_bad_grant_row_changes_nothing(app: App, tmp_path: Path, case: str) -> None:
    (index, column, value), expected = BAD_GRANTS[case]
    rows = [list(r) for r in GRANTS]
    rows[index][column] = value
    path = write_csv(tmp_path / "grants.csv", GRANT_HEADER, rows)
    before = counts(app.settings.database_url)
    with pytest.raises(InputError) as caught:
        _import_grants(app, path)
    assert f"{path}{expected}" in caught.value.message
    assert counts(app.settings.database_url) == before
