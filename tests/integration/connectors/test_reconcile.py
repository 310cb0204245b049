"""`reconcile` finds hand-made drift on a real SCIM server; `connectors list|check` through the CLI."""

from __future__ import annotations

import json
from typing import Any

import requests
from click.testing import CliRunner, Result
from sqlalchemy import select

from accessguard.app import App
from accessguard.cli.main import cli
from accessguard.config import load_settings
from accessguard.db import tables
from accessguard.reconcile.records import latest_drift
from support import rows
from support.scim_users import add_user
from support.vault import store_token


def invoke(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", url, *args], catch_exceptions=False)


def seed(app: App, scim: Any) -> None:
    """ann and bob hold suite seats in the inventory; dave a shared login."""
    now = app.clock.now()
    with app.begin() as conn:
        for email in ("ann", "bob", "carol", "dave"):
            rows.person(conn, f"{email}@example.com", name=email.title(), now=now)
        rows.account(
            conn, "suite", "hootsuite", handle="northwind", settings={"base_url": scim.url}
        )
        for email, via in (("ann", "suite-seat"), ("bob", "suite-seat"), ("dave", "shared-login")):
            rows.grant(conn, f"{email}@example.com", "suite", "editor", via, now=now)


def test_reconcile_reports_hand_made_drift(database_url, clock, scim, openbao, vault_env) -> None:
    app = App(settings=load_settings(overrides={"database.url": database_url}), clock=clock)
    seed(app, scim)
    store_token(openbao, vault_env, "suite", scim.token)
    add_user(scim, "ann@example.com")
    add_user(scim, "carol@example.com")  # added on the server, outside the inventory
    add_user(scim, "erin@example.com", active=False)  # deactivated: holds nothing
    # bob's user is gone from the server although the inventory says he holds a seat.

    result = invoke(database_url, "reconcile", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "drift" and report["drift_count"] == 2
    [suite] = report["accounts"]
    assert suite["status"] == "ok" and suite["connector"] == "scim" and suite["holders"] == 2
    drift = {(d["kind"], d["email"]) for d in suite["drift"]}
    assert drift == {("unmanaged", "carol@example.com"), ("missing", "bob@example.com")}

    failing = invoke(database_url, "reconcile", "--account", "suite", "--fail-on-drift")
    assert failing.exit_code == 3
    assert "carol@example.com" in failing.stdout and "bob@example.com" in failing.stdout

    with app.begin() as conn:
        stored = {(d.kind, d.email) for d in latest_drift(conn)}
        assert stored == drift
        actions = list(conn.scalars(select(tables.audit_events.c.action)))
        assert actions.count("reconcile.drift.unmanaged") == 2
        assert actions.count("reconcile.run") == 2
        assert len(conn.execute(select(tables.reconcile_runs)).all()) == 2

    # Fix the drift: record carol's seat, and bob gets his user back.
    with app.begin() as conn:
        rows.grant(conn, "carol@example.com", "suite", "editor", "suite-seat", now=app.clock.now())
    add_user(scim, "bob@example.com")
    clean = invoke(
        database_url, "reconcile", "--platform", "hootsuite", "--json", "--fail-on-drift"
    )
    assert clean.exit_code == 0
    assert json.loads(clean.stdout)["status"] == "clean"
    with app.begin() as conn:
        assert latest_drift(conn) == []


def test_unreachable_platform_is_a_partial_failure(
    sqlite_url, clock, scim, openbao, vault_env
) -> None:
    app = App(settings=load_settings(overrides={"database.url": sqlite_url}), clock=clock)
    seed(app, scim)
    store_token(openbao, vault_env, "suite", "wrong-token-for-scim")
    with app.begin() as conn:
        rows.account(conn, "brand-x", "x", handle="northwind")
    result = invoke(sqlite_url, "reconcile", "--json")
    assert result.exit_code == 4
    accounts = {a["account"]: a for a in json.loads(result.stdout)["accounts"]}
    assert accounts["suite"]["status"] == "error" and "HTTP 401" in accounts["suite"]["error"]
    assert "wrong-token-for-scim" not in result.stdout + result.stderr
    assert accounts["brand-x"]["status"] == "skipped"
    with app.begin() as conn:
        assert latest_drift(conn) == []


def test_connectors_list_and_check(sqlite_url, clock, scim, openbao, vault_env) -> None:
    app = App(settings=load_settings(overrides={"database.url": sqlite_url}), clock=clock)
    seed(app, scim)
    store_token(openbao, vault_env, "suite", scim.token)
    listed = {
        c["name"]: c for c in json.loads(invoke(sqlite_url, "connectors", "list", "--json").stdout)
    }
    assert listed["scim"]["can_list"] and "hootsuite" in listed["scim"]["platforms"]
    assert listed["linkedin"]["can_revoke"] is False
    checked = json.loads(invoke(sqlite_url, "connectors", "check", "suite", "--json").stdout)
    assert checked["connector"] == "scim" and checked["outcome"] == "unchanged"
    table = invoke(sqlite_url, "connectors", "list")
    assert table.exit_code == 0 and "scim" in table.stdout
    missing = invoke(sqlite_url, "connectors", "check", "nope")
    assert missing.exit_code == 1 and "no account 'nope'" in missing.stderr


def test_connectors_check_names_where_a_missing_secret_goes(
    sqlite_url, clock, scim, openbao, vault_env
) -> None:
    app = App(settings=load_settings(overrides={"database.url": sqlite_url}), clock=clock)
    # The token sits at the old flat path: it is not read.
    requests.post(
        f"{openbao.addr}/v1/secret/data/{vault_env}/connectors/jira",
        headers={"X-Vault-Token": openbao.token},
        json={"data": {"token": scim.token}},
        timeout=5,
    ).raise_for_status()
    with app.begin() as conn:
        rows.account(conn, "jira", "hootsuite", handle="jira", settings={"base_url": scim.url})
    result = invoke(sqlite_url, "connectors", "check", "jira")
    assert result.exit_code == 1
    assert f"secret/{vault_env}/connectors/accounts/jira" in result.stderr


def test_connectors_check_refuses_an_unlisted_base_url(
    sqlite_url, clock, scim, openbao, vault_env
) -> None:
    from support.fake_http import FakeServer

    app = App(settings=load_settings(overrides={"database.url": sqlite_url}), clock=clock)
    store_token(openbao, vault_env, "brand-x", scim.token)
    with FakeServer(trusted=False) as attacker:
        with app.begin() as conn:
            rows.account(
                conn, "brand-x", "hootsuite", handle="x", settings={"base_url": attacker.url}
            )
        result = invoke(sqlite_url, "connectors", "check", "brand-x")
    assert result.exit_code == 1
    assert attacker.hits == []
    assert f"127.0.0.1:{attacker.port}" in result.stderr
    assert scim.token not in result.stderr
