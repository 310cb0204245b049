"""Accounts are checked against their connector's declared settings before anything is stored.

A missing ``business_id`` or an unknown connector used to surface as a failed revoke in
the middle of an offboarding; now `accounts add` and `accounts import` refuse it,
naming the option or ``file:row:column``, and nothing is written. `connectors secret
set` stores a token from stdin where the connector reads it (tool token, real OpenBao),
and `connectors check` lists what is missing without calling the platform.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from accessguard.app import App
from accessguard.cli.main import cli
from accessguard.db import tables
from support.vault import admin_vault, sqlite_vault_app

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
TOKEN = "conn-canary-token-5c1e0b"


def invoke(url: str, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--db", url, *args], input=input, catch_exceptions=False)


def account_count(url: str) -> int:
    from accessguard.db.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(tables.accounts)).scalar_one()
    engine.dispose()
    return int(count)


@pytest.fixture
def people(sqlite_url: str) -> str:
    assert invoke(sqlite_url, "people", "import", str(EXAMPLES / "people.csv")).exit_code == 0
    return sqlite_url


def test_example_accounts_import_and_every_connector_is_known(people: str) -> None:
    result = invoke(people, "accounts", "import", str(EXAMPLES / "accounts.csv"))
    assert result.exit_code == 0, result.output
    listed = json.loads(invoke(people, "accounts", "list", "--json").output)
    for account in listed:
        check = invoke(people, "connectors", "check", account["name"], "--json")
        assert "unknown connector" not in check.output, (account["name"], check.output)
        # No secrets are stored here: API connectors say what they need, and stop there.
        data = json.loads(check.stdout)
        if data.get("outcome") == "missing":
            assert any("connectors secret set" in line for line in data["missing"])


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("bad,facebook,fb1,bogus,", "connector", "unknown connector 'bogus'"),
        ("bad,facebook,fb1,google-business-profile,", "connector", "did you mean"),
        ('bad,facebook,fb1,meta,"{""page_id"": ""1""}"', "settings", "'business_id'"),
        ('bad,reddit,r1,,"{""subredit"": ""x""}"', "settings", "did you mean 'subreddit'"),
        ('bad,okta,o1,okta,"{""base_url"": ""ftp://x""}"', "settings", "https URL"),
        (
            'bad,reddit,r1,,"{""subreddit"": ""x"", ""user_agent"": ""my bot""}"',
            "settings",
            "required form",
        ),
    ],
)
def test_import_names_the_row_and_writes_nothing(
    people: str, tmp_path: Path, row: str, column: str, message: str
) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("name,platform,handle,connector,settings\nok1,x,okhandle,,\n" + row + "\n")
    result = invoke(people, "accounts", "import", str(path))
    assert result.exit_code == 2
    assert f"{path}:3:{column}:" in result.stderr and message in result.stderr
    assert "Traceback" not in result.output
    assert account_count(people) == 0


def test_add_refuses_unknown_connector_and_missing_setting(people: str) -> None:
    bogus = invoke(
        people,
        "accounts",
        "add",
        "a1",
        "--platform",
        "facebook",
        "--handle",
        "h1",
        "--connector",
        "bogus",
    )
    assert bogus.exit_code == 2 and "--connector: unknown connector 'bogus'" in bogus.stderr
    missing = invoke(
        people,
        "accounts",
        "add",
        "a2",
        "--platform",
        "facebook",
        "--handle",
        "h2",
        "--setting",
        "page_id=1",
    )
    assert missing.exit_code == 2 and "'business_id'" in missing.stderr
    typed = invoke(
        people,
        "accounts",
        "add",
        "a3",
        "--platform",
        "okta",
        "--handle",
        "h3",
        "--setting",
        "base_url=https://x.okta.com",
        "--setting",
        "clear_sessions=no",
    )
    assert typed.exit_code == 2 and "true or false" in typed.stderr
    assert account_count(people) == 0
    ignore = invoke(
        people,
        "accounts",
        "add",
        "a5",
        "--platform",
        "okta",
        "--handle",
        "h5",
        "--setting",
        "base_url=https://x.okta.com",
        "--setting",
        'reconcile_ignore=["api@x.okta.com"]',
    )
    assert ignore.exit_code == 0, ignore.stderr  # a setting reconcile reads, on every connector
    good = invoke(
        people,
        "accounts",
        "add",
        "a4",
        "--platform",
        "okta",
        "--handle",
        "h4",
        "--setting",
        "base_url=https://x.okta.com",
        "--setting",
        "clear_sessions=false",
    )
    assert good.exit_code == 0, good.stderr
    shown = json.loads(invoke(people, "accounts", "show", "a4", "--json").stdout)
    assert shown["settings"] == {"base_url": "https://x.okta.com", "clear_sessions": False}


def test_connectors_list_declares_settings() -> None:
    rows = json.loads(CliRunner().invoke(cli, ["connectors", "list", "--json"]).stdout)
    meta = next(r for r in rows if r["name"] == "meta")
    names = {s["name"]: s for s in meta["settings"]}
    assert names["business_id"]["required"] is True and names["business_id"]["type"] == "id"
    assert "instagram_asset_id" in names and names["base_url"]["type"] == "url"


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    yield from sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch)


def test_secret_set_stores_the_token_where_the_connector_reads_it(vapp: App, openbao) -> None:
    url = str(vapp.settings.database.url)
    invoke(url, "people", "import", str(EXAMPLES / "people.csv"))
    assert invoke(url, "accounts", "import", str(EXAMPLES / "accounts.csv")).exit_code == 0
    before = json.loads(invoke(url, "connectors", "check", "nw-pinterest", "--json").stdout)
    assert before["outcome"] == "missing"
    assert any("'token' secret" in line for line in before["missing"])

    stored = invoke(url, "connectors", "secret", "set", "nw-pinterest", input=TOKEN + "\n")
    assert stored.exit_code == 0, stored.stderr
    assert TOKEN not in stored.output
    admin = admin_vault(vapp, openbao)
    path = f"{admin.paths.prefix}/connectors/accounts/nw-pinterest"
    assert admin.kv.read(path).values["token"].reveal() == TOKEN

    # A second field keeps the first (check-and-set patch), and a field the connector
    # does not read is refused.
    wrong = invoke(url, "connectors", "secret", "set", "nw-pinterest", "password", input="x\n")
    assert wrong.exit_code == 2 and "reads no secret 'password'" in wrong.stderr
    empty = invoke(url, "connectors", "secret", "set", "nw-pinterest", input="\n")
    assert empty.exit_code == 2 and "empty" in empty.stderr
    notifier = invoke(
        url,
        "connectors",
        "secret",
        "set",
        "ops-hook",
        "url",
        "--notifier",
        "webhook",
        input="https://hooks.example.com/x\n",
    )
    assert notifier.exit_code == 0, notifier.stderr
    hook = admin.kv.read(f"{admin.paths.prefix}/connectors/notifiers/ops-hook").values
    assert hook["url"].reveal() == "https://hooks.example.com/x"

    # Ready now (checked without calling the platform: no test leaves loopback).
    from accessguard.connectors.readiness import missing
    from accessguard.reconcile.records import get_connected_account

    with vapp.begin() as conn:
        account = get_connected_account(conn, "nw-pinterest")
    assert missing(vapp, account) == []
    export = invoke(url, "audit", "export", "--out", "-")
    assert "connector.secret-set" in export.output and TOKEN not in export.output
