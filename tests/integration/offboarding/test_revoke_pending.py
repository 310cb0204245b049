"""A revoke is done only when it is confirmed (issue 17 item 2), on SQLite and PostgreSQL.

A platform that is down during an offboarding leaves the leaver's grant on it held,
revoke-pending with the reason and the run; the run does not complete, the access report
says so, and a resume after the platform returns removes the access and ends the grant.
A manual removal keeps its grant revoke-pending until it is confirmed.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from accessguard.app import App
from accessguard.db import tables
from accessguard.inventory.accounts import update_account
from accessguard.inventory.grants import add_grant
from accessguard.inventory.records import GrantRecord, get_account_record, grant_records
from support.egress import admin_allows
from support.fake_meta import MetaFake
from support.offboarding import LEAVER, World, build_world, invoke_json, scim_active
from support.servers import free_port
from support.vault import vault_app


@pytest.fixture
def meta() -> Any:
    """A Meta Graph API fake (documented shapes)."""
    with MetaFake() as server:
        yield server


@pytest.fixture
def world(app: App, openbao, scim, meta, monkeypatch) -> World:
    """The example company on the parametrized database, Ann about to leave."""
    return build_world(vault_app(app, openbao, monkeypatch), openbao, scim, meta)


def _point_hoot_at(world: World, base_url: str) -> None:
    with world.app.begin() as conn:
        account = get_account_record(conn, "hoot")
        update_account(
            conn,
            account,
            values={"settings": {**account.settings, "base_url": base_url}},
            changes={"settings.base_url": [account.settings.get("base_url"), base_url]},
            clock=world.app.clock,
            actor="setup@example.com",
        )


def _grant(world: World, account: str) -> GrantRecord:
    grants, accounts, people = tables.grants.c, tables.accounts.c, tables.people.c
    with world.app.begin() as conn:
        account_id = select(accounts.id).where(accounts.name == account).scalar_subquery()
        person_id = select(people.id).where(people.email == LEAVER).scalar_subquery()
        (grant,) = grant_records(
            conn, (grants.account_id == account_id) & (grants.person_id == person_id)
        )
    return grant


def _report(world: World) -> dict[str, Any]:
    code, report = invoke_json(world.app, "report", "access")
    assert code == 0, report
    return dict(report)


def _findings(report: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["kind"] == kind]


@pytest.fixture
def down(world: World) -> dict[str, Any]:
    """Ann offboarded while the SCIM platform (hoot) is unreachable: the run summary."""
    closed = f"http://127.0.0.1:{free_port()}"
    admin_allows(closed, app=world.app)
    _point_hoot_at(world, closed)
    code, out = invoke_json(world.app, "offboard", LEAVER, "--yes")
    assert code == 4, out
    return dict(out["run"])


def test_platform_down_keeps_the_grant_held_revoke_pending(world: World, down: dict) -> None:
    grant = _grant(world, "hoot")
    assert grant.revoked_at is None
    assert grant.revoke_pending_run == down["id"]
    assert "failed" in (grant.revoke_pending_reason or "")


def test_platform_down_the_run_is_not_completed(world: World, down: dict) -> None:
    assert down["status"] == "partial"
    steps = {s["id"]: s for s in down["steps"]}
    assert {i["status"] for i in steps["end-grants"]["items"]} == {"held", "changed"}


def test_platform_down_the_seat_is_live_and_the_inventory_says_so(world: World, down: dict) -> None:
    assert scim_active(world)
    _, held = invoke_json(world.app, "holdings", LEAVER)
    assert [g["state"] for g in held["grants"] if g["account"] == "hoot"] == ["revoke-pending"]


def test_platform_down_the_report_shows_the_unconfirmed_removal(world: World, down: dict) -> None:
    report = _report(world)
    (finding,) = _findings(report, "removal-unconfirmed")
    assert (finding["person"], finding["account"], finding["severity"]) == (
        LEAVER,
        "hoot",
        "critical",
    )
    assert down["id"] in finding["message"]
    assert [f["subject_id"] for f in _findings(report, "run-incomplete")] == [down["id"]]
    assert [p["email"] for p in report["people"] if p["email"] == LEAVER] == [LEAVER]
    (times,) = [t for t in report["removal_times"] if t["email"] == LEAVER]
    assert (times["pending_removals"], times["days_to_removal"]) == (1, None)


def test_resume_after_the_platform_returns_ends_the_grant(world: World, down: dict) -> None:
    _point_hoot_at(world, world.scim.url)
    _, out = invoke_json(world.app, "runs", "resume", down["id"])
    assert out["run"]["status"] != "partial", out
    assert not scim_active(world)
    grant = _grant(world, "hoot")
    assert grant.revoked_at is not None
    assert grant.removal_confirmed_at is not None
    report = _report(world)
    assert _findings(report, "removal-unconfirmed") == []
    (times,) = [t for t in report["removal_times"] if t["email"] == LEAVER]
    assert times["pending_removals"] == 0
    assert times["days_to_removal"] is not None


def test_a_manual_removal_stays_revoke_pending_until_confirmed_then_ends(world: World) -> None:
    with world.app.begin() as conn:
        add_grant(
            conn,
            world.app.clock,
            "setup@example.com",
            person_email=LEAVER,
            account_ref="brand-x",
            role="editor",
            via="platform-role",
        )
    _, out = invoke_json(world.app, "offboard", LEAVER, "--yes")
    run = out["run"]
    assert run["status"] == "waiting", run
    grant = _grant_on(world, "brand-x", "editor")
    assert grant.revoked_at is None
    assert "runs confirm" in (grant.revoke_pending_reason or "")
    item = f"grant-{grant.id}"
    _, confirmed = invoke_json(
        world.app,
        "runs",
        "confirm",
        run["id"],
        "revoke-platform-access",
        "--item",
        item,
        "--evidence",
        "removed in X delegate settings, ticket SEC-1",
    )
    assert confirmed["confirmed"], confirmed
    grant = _grant_on(world, "brand-x", "editor")
    assert grant.removal_confirmed_at is not None
    assert _findings(_report(world), "removal-unconfirmed") == []


def _grant_on(world: World, account: str, role: str) -> GrantRecord:
    grants, accounts = tables.grants.c, tables.accounts.c
    with world.app.begin() as conn:
        account_id = select(accounts.id).where(accounts.name == account).scalar_subquery()
        (grant,) = grant_records(
            conn,
            (grants.account_id == account_id)
            & (grants.role == role)
            & (grants.via != "shared-login"),
        )
    return grant
