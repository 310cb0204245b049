"""Every command that changes access or secrets is a run of the engine (real OpenBao and SCIM).

A review close is a run that `runs show` lists, that resumes after SIGKILL, and whose
platform removals on a platform without an API wait with that platform's checklist;
`revoke`, `vault revoke-person`, `creds rotate` and `creds rollback` each leave a run.
"""

from __future__ import annotations

import signal

import pytest
from sqlalchemy import select

from accessguard.db import tables
from accessguard.inventory.grants import add_grant
from accessguard.inventory.records import get_person_record, grant_records
from support.offboarding import LEAVER, World, cli_process, invoke, invoke_json, scim_active


def _grant_ids(world: World) -> dict[tuple[str, str, str], int]:
    """(person, account, via) -> grant id, for the active grants."""
    grant, person, account = tables.grants.c, tables.people.c, tables.accounts.c
    with world.app.begin() as s:
        rows = s.execute(
            select(grant.id, person.email, account.name, grant.via)
            .join(tables.people, person.id == grant.person_id)
            .join(tables.accounts, account.id == grant.account_id)
            .where(grant.revoked_at.is_(None))
        ).all()
    return {(email, account, via): grant_id for grant_id, email, account, via in rows}


def _campaign_revoking(world: World, revoke: set[int]) -> int:
    """A campaign over every grant, reviewed by bob, with ``revoke`` decided revoke."""
    app = world.app
    due = "2099-01-01"  # the CLI runs on the system clock, the world on a pinned one
    code, started = invoke_json(
        app, "review", "start", "--scope", "all", "--reviewer", "bob@example.com", "--due", due
    )
    assert code == 0, started
    _, pending = invoke_json(app, "review", "pending")
    for item in pending:
        if item["grant_id"] in revoke:
            done = invoke(
                app, "--actor", "bob@example.com", "review", "decide", str(item["item"]), "revoke"
            )
            assert done.exit_code == 0, done.stderr
    return int(started["campaign"])


def _runs(world: World) -> list[dict[str, object]]:
    code, rows = invoke_json(world.app, "runs", "list")
    assert code == 0
    return list(rows)


@pytest.mark.parametrize(
    "crash_at",
    [
        "revoke-platform-access:grant-{hoot}:after",  # SCIM seat gone, outcome not recorded
        "end-grants:grant-{on_x}:inside",  # grants ended, the transaction not committed
        "sync-vault-groups::start",
    ],
)
def test_review_close_is_a_run_that_resumes_after_sigkill(world: World, crash_at: str) -> None:
    app = world.app
    with app.begin() as s:  # a role on X, which has no API: removed by hand
        add_grant(
            s, app.clock, app.actor, person_email=LEAVER, account_ref="brand-x",
            role="editor", via="platform-role",
        )  # fmt: skip
    ids = _grant_ids(world)
    hoot = ids[(LEAVER, "hoot", "suite-seat")]
    on_x = ids[(LEAVER, "brand-x", "platform-role")]
    login = ids[(LEAVER, "brand-x", "shared-login")]
    campaign = _campaign_revoking(world, {hoot, on_x, login})

    crash = crash_at.format(hoot=hoot, on_x=on_x)
    proc = cli_process(app, "review", "close", str(campaign), "--force", "--yes", crash_at=crash)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, err.decode()[-2000:]
    assert not scim_active(world)

    (listed,) = _runs(world)
    assert listed["subject"] == f"review-campaign-{campaign}"
    assert listed["playbook"] == "review-close" and listed["status"] == "interrupted"
    _, report = invoke_json(app, "review", "report", str(campaign))
    assert report["status"] == "closed" and report["run"] == listed["id"]

    resumed = cli_process(app, "runs", "resume", str(listed["id"]))
    _, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 5, err.decode()[-2000:]  # waiting for the manual X step

    code, shown = invoke_json(app, "runs", "show", str(listed["id"]))
    assert code == 0 and shown["status"] == "waiting"
    items = {(s["id"], i["item"]): i for s in shown["steps"] for i in s["items"]}
    manual = items[("revoke-platform-access", f"grant-{on_x}")]
    assert manual["status"] == "waiting"
    assert "Settings and privacy > Your account > Delegate" in manual["instructions"]
    assert "@northwind" in manual["instructions"]
    assert items[("revoke-platform-access", f"grant-{hoot}")]["status"] in ("changed", "unchanged")
    hoot_attempts = items[("revoke-platform-access", f"grant-{hoot}")]["attempts"]
    assert hoot_attempts == (2 if "hoot" in crash_at else 1)
    # The manual removal is not confirmed: its grant is held revoke-pending, not ended.
    assert items[("end-grants", f"grant-{on_x}")]["status"] == "held"
    assert items[("sync-vault-groups", "subject")]["status"] == "changed"
    with app.begin() as s:
        ended = grant_records(s, tables.grants.c.id.in_([hoot, login]))
        assert {g.revoked_run_id for g in ended} == {listed["id"]}
        assert all(f"review campaign #{campaign}" in (g.revoke_reason or "") for g in ended)
        (held,) = grant_records(s, tables.grants.c.id == on_x)
        assert (held.revoked_at, held.revoke_pending_run) == (None, listed["id"])

    _, report = invoke_json(app, "review", "report", str(campaign))
    outcomes = {i["grant_id"]: i["outcome"] for i in report["items"]}
    assert outcomes[on_x] == "waiting" and outcomes[hoot] == "changed"
    confirmed = invoke(app, "runs", "confirm", str(listed["id"]), "revoke-platform-access",
                       "--evidence", "removed on X, ticket SEC-12")  # fmt: skip
    assert confirmed.exit_code == 0, confirmed.stderr
    _, report = invoke_json(app, "review", "report", str(campaign))
    assert {i["grant_id"]: i["outcome"] for i in report["items"]}[on_x] == "changed"
    with app.begin() as s:  # confirmed: the held grant ended with the confirmation
        (done,) = grant_records(s, tables.grants.c.id == on_x)
        assert done.removal_confirmed_at is not None


def test_revoke_vault_and_creds_commands_each_leave_a_run(world: World) -> None:
    app = world.app
    revoked = invoke(app, "revoke", "cat@example.com", "brand-x", "--reason", "moved team")
    assert revoked.exit_code == 0, revoked.stderr
    assert "revoked login (shared-login)" in revoked.stderr
    code, person = invoke_json(app, "vault", "revoke-person", "cat@example.com", "--yes")
    assert code == 0 and person["outcome"] in ("changed", "unchanged")
    code, rotated = invoke_json(app, "creds", "rotate", "brand-yt", "--reason", "quarterly")
    assert code == 0 and rotated["outcome"] == "changed", rotated
    assert rotated["details"]["version"] == 2
    code, rolled = invoke_json(app, "creds", "rollback", "brand-yt", "--yes")
    assert code == 0 and rolled["outcome"] == "changed", rolled

    runs = {(r["playbook"], r["subject"]): r for r in _runs(world)}
    assert set(runs) == {
        ("revoke", "cat@example.com"),
        ("vault-revoke-person", "cat@example.com"),
        ("creds-rotate", "account:brand-yt"),
        ("creds-rollback", "account:brand-yt"),
    }
    assert all(r["status"] == "completed" for r in runs.values())
    assert runs[("creds-rotate", "account:brand-yt")]["id"] == rotated["run"]
    with app.begin() as s:
        cat = get_person_record(s, "cat@example.com")
        (grant,) = grant_records(s, tables.grants.c.person_id == cat.id)
        assert grant.revoked_at is not None and grant.revoke_reason == "moved team"
        assert grant.revoked_run_id == runs[("revoke", "cat@example.com")]["id"]

    nothing = invoke(
        app, "creds", "rollback", "brand-yt", "--yes"
    )  # no pending rotation: the item fails
    assert nothing.exit_code == 1 and "no pending rotation" in nothing.stderr
    again = invoke(app, "revoke", "cat@example.com", "brand-x", "--reason", "again")
    assert again.exit_code == 0 and "holds no active grant" in again.stderr
