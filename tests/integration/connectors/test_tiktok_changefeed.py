"""`reconcile` reads the TikTok Business Center activity log as a change feed, end to end
through the CLI: the changes since the last read are shown (table and --json), stored
once, audited, and explain the drift they caused; a cursor per account moves with each read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from accessguard.app import App
from accessguard.cli.main import cli
from accessguard.clock import FixedClock
from accessguard.config import load_settings
from accessguard.db import tables
from accessguard.reconcile.changes import read_cursors
from accessguard.reconcile.records import latest_drift
from support import rows
from support.fake_tiktok import TikTokBusinessFake
from support.vault import store_token

OUTSIDER = "carol@outside.example"
CHANGELOG = "/open_api/v1.3/changelog/get/"


def invoke(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", url, *args], catch_exceptions=False)


def reconcile(url: str) -> tuple[Result, dict[str, Any]]:
    result = invoke(url, "reconcile", "--json")
    return result, next(a for a in json.loads(result.stdout)["accounts"])


@dataclass
class World:
    url: str
    app: App
    fake: TikTokBusinessFake
    ids: dict[str, str]

    def actions(self) -> list[str]:
        with self.app.begin() as conn:
            return list(conn.scalars(select(tables.audit_events.c.action)))

    def cursor(self) -> datetime | None:
        with self.app.begin() as conn:
            return read_cursors(conn, [rows.account_id(conn, "brand-tt")]).get(
                rows.account_id(conn, "brand-tt")
            )


@contextmanager
def make_world(url: str, clock: FixedClock, openbao: Any, vault_env: str) -> Iterator[World]:
    """ann and bob hold roles on brand-tt in the inventory; bob brought in an outsider, carol."""
    app = App(settings=load_settings(overrides={"database.url": url}), clock=clock)
    now = datetime.now(UTC).replace(microsecond=0)
    with TikTokBusinessFake() as fake:
        ids = {
            "ann": fake.add_member("ann@example.com", "Ann"),
            "bob": fake.add_member("bob@example.com", "Bob", role="ADMIN"),
            "ads": fake.add_asset("ADVERTISER", "Brand US ads"),
        }
        fake.logged(ids["bob"], "BUSINESS", "Renamed the Business Center", now - timedelta(days=10))
        ids["carol"] = fake.add_member(OUTSIDER, by=ids["bob"], at=now - timedelta(hours=3))
        fake.assign(
            ids["carol"],
            "ADVERTISER",
            ids["ads"],
            "ADMIN",
            by=ids["bob"],
            at=now - timedelta(hours=2),
        )
        with app.begin() as conn:
            for email in ("ann@example.com", "bob@example.com"):
                rows.person(conn, email, name=email.split("@")[0].title())
            rows.account(
                conn,
                "brand-tt",
                "tiktok",
                handle="nw-tt",
                settings={"base_url": fake.url, "bc_id": fake.bc_id},
            )
            rows.grant(conn, "ann@example.com", "brand-tt", "STANDARD")
            rows.grant(conn, "bob@example.com", "brand-tt", "ADMIN")
        store_token(openbao, vault_env, "brand-tt", fake.token)
        yield World(url, app, fake, ids)


@pytest.fixture
def world(sqlite_url: str, clock: FixedClock, openbao: Any, vault_env: str) -> Iterator[World]:
    with make_world(sqlite_url, clock, openbao, vault_env) as made:
        yield made


def test_reconcile_shows_stores_and_audits_the_changes_behind_the_drift(
    database_url: str, clock: FixedClock, openbao: Any, vault_env: str
) -> None:
    with make_world(database_url, clock, openbao, vault_env) as world:
        check_first_reconcile(world)


def check_first_reconcile(world: World) -> None:
    before = datetime.now(UTC)
    result, account = reconcile(world.url)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["change_count"] == 2
    # What bob did in the last days, by his email; the rename 10 days ago is before the first read.
    assert [(c["kind"], c["actor_name"], c["summary"]) for c in account["changes"]] == [
        ("USER", "bob@example.com", f"Invited {OUTSIDER} to join the Business Center as Standard"),
        ("ACCOUNT", "bob@example.com", f"Assigned ADVERTISER Brand US ads to {OUTSIDER} as ADMIN"),
    ]
    [drift] = account["drift"]
    assert (drift["kind"], drift["email"]) == ("unmanaged", OUTSIDER)
    assert [c["summary"][:8] for c in drift["changes"]] == ["Invited ", "Assigned"]
    assert drift["changes"][0]["occurred_at"].startswith(
        (before - timedelta(hours=3)).strftime("%Y-%m-%dT%H")
    )

    with world.app.begin() as conn:
        stored = conn.execute(select(tables.platform_changes)).all()
        assert sorted(r.kind for r in stored) == ["ACCOUNT", "USER"]
        assert {r.actor for r in stored} == {world.ids["bob"]}
        drift_events = [
            e.details
            for e in conn.execute(
                select(tables.audit_events).where(
                    tables.audit_events.c.action == "reconcile.drift.unmanaged"
                )
            )
        ]
        assert [c["actor_name"] for c in drift_events[0]["changes"]] == ["bob@example.com"] * 2
    assert world.actions().count("reconcile.change") == 2
    cursor = world.cursor()
    assert cursor is not None and before <= cursor <= datetime.now(UTC)


def test_a_second_reconcile_shows_only_what_is_new_and_still_explains_the_drift(
    world: World,
) -> None:
    reconcile(world.url)
    first = world.cursor()
    assert first is not None

    _, again = reconcile(world.url)
    assert again["changes"] == []
    assert [c["summary"][:7] for c in again["drift"][0]["changes"]] == ["Invited", "Assigne"]
    assert world.actions().count("reconcile.change") == 2

    # Logged after the last read, although it happened an hour before it; and a new change.
    world.fake.logged(
        world.ids["bob"], "USER", "Changed ann@example.com to Admin", first - timedelta(hours=1)
    )
    world.fake.logged(world.ids["ann"], "ASSET", "Created catalog Winter", None)
    _, third = reconcile(world.url)
    assert [(c["actor_name"], c["summary"]) for c in third["changes"]] == [
        ("bob@example.com", "Changed ann@example.com to Admin"),
        ("ann@example.com", "Created catalog Winter"),
    ]
    assert world.actions().count("reconcile.change") == 4
    with world.app.begin() as conn:
        assert len(conn.execute(select(tables.platform_changes)).all()) == 4
    latest = world.cursor()
    assert latest is not None and latest > first


def test_the_table_shows_the_changes_and_why_the_drift_is_there(world: World) -> None:
    result = invoke(world.url, "reconcile")
    assert result.exit_code == 0, result.stderr
    assert "platform changes" in result.stdout
    assert f"Invited {OUTSIDER} to join the Business Center" in result.stdout
    assert f"by bob@example.com: Assigned ADVERTISER Brand US ads to {OUTSIDER}" in result.stdout
    assert "1 drift item(s), 2 platform change(s), 0 account error(s)" in result.stderr
    assert world.fake.token not in result.stdout + result.stderr


def test_an_unreadable_log_is_a_partial_failure_that_keeps_the_drift_and_the_cursor(
    world: World,
) -> None:
    world.fake.fail_next(
        200,
        path=CHANGELOG,
        body={"code": 40001, "message": "No permission to operate", "request_id": "r"},
    )
    result, account = reconcile(world.url)
    assert result.exit_code == 4
    assert account["status"] == "ok" and "No permission to operate" in account["feed_error"]
    assert account["changes"] == []
    with world.app.begin() as conn:
        assert [d.email for d in latest_drift(conn)] == [OUTSIDER]
    assert world.cursor() is None  # the next run reads the same window again

    table = invoke(world.url, "reconcile")
    assert table.exit_code == 0
    _, retried = reconcile(world.url)
    assert world.cursor() is not None
    assert "Invited" in table.stdout and retried["changes"] == []


def test_access_the_log_does_not_mention_is_still_drift(world: World) -> None:
    """The feed explains drift; it never decides it: a silent log hides no one."""
    world.fake.add_member("dan@outside.example", "Dan")  # no activity log entry at all
    _, account = reconcile(world.url)
    drift = {d["email"]: d["changes"] for d in account["drift"]}
    assert set(drift) == {OUTSIDER, "dan@outside.example"}
    assert drift["dan@outside.example"] == []


def test_a_log_entry_naming_an_inventory_person_does_not_clear_drift(world: World) -> None:
    """Text planted in the log (a member's name, a fake "removed" line) changes no comparison."""
    world.fake.logged(
        world.ids["carol"], "USER", f"Removed {OUTSIDER} from the Business Center", None
    )
    _, account = reconcile(world.url)
    assert [(d["kind"], d["email"]) for d in account["drift"]] == [("unmanaged", OUTSIDER)]
    assert len(account["drift"][0]["changes"]) == 3


def test_the_feed_can_be_turned_off_per_account(world: World) -> None:
    with world.app.begin() as conn:
        conn.execute(
            tables.accounts.update()
            .where(tables.accounts.c.name == "brand-tt")
            .values(
                settings={
                    "base_url": world.fake.url,
                    "bc_id": world.fake.bc_id,
                    "activity_log": False,
                }
            )
        )
    _, account = reconcile(world.url)
    assert account["changes"] == [] and account["changes_since"] is None
    assert [d["email"] for d in account["drift"]] == [OUTSIDER]
    assert world.cursor() is None
