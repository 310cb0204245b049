"""Offboarding end to end: real OpenBao, real scim2-server, the Meta fake, the CLI."""

from __future__ import annotations

import json

from sqlalchemy import select

from accessguard.db import tables
from support.offboarding import (
    LEAVER,
    end_state,
    invoke,
    invoke_json,
    scim_active,
    token_works,
    vault_versions,
)


def test_dry_run_prints_the_plan_and_changes_nothing(world) -> None:
    before = end_state(world)
    code, out = invoke_json(world.app, "offboard", LEAVER, "--dry-run")
    assert code == 0 and out["dry_run"] is True
    steps = {s["id"]: s for s in out["plan"]["steps"]}
    assert {i["id"] for i in steps["revoke-platform-access"]["items"]} == {"grant-1", "grant-2"}
    assert len(steps["rotate-shared-logins"]["items"]) == 2
    assert len(steps["reenrol-2fa"]["items"]) == 1
    assert len(steps["end-grants"]["items"]) == 4
    handover = steps["handover"]["items"][0]["params"]
    assert handover["account"] == "brand-fb" and handover["inheritor"] == "bob@example.com"
    text = invoke(world.app, "offboard", LEAVER, "--dry-run")
    assert "bob@example.com inherits ownership" in text.stdout
    assert end_state(world) == before


def test_full_run_then_confirm_then_again_changes_nothing(world) -> None:
    assert scim_active(world) and token_works(world)
    result = invoke(world.app, "offboard", LEAVER, "--yes", "--show-secrets", "--json")
    code, out = result.exit_code, json.loads(result.stdout)
    run = out["run"]
    assert code == 5, run
    assert result.stderr.count("otpauth://totp/") == 1  # the new seed's QR, shown once
    assert "otpauth://" not in result.stdout
    assert run["status"] == "waiting"
    assert not scim_active(world)
    assert LEAVER not in world.meta.business_emails()
    assert not token_works(world)
    assert vault_versions(world) == {"brand-x": 2, "brand-yt": 2}
    state = end_state(world)
    ann_grants = [g for g in state["grants"] if g[0] == LEAVER]
    assert ann_grants and all(
        g[4] and g[5] == "offboarding: left the company" and g[6] for g in ann_grants
    )
    waiting = [
        (s["id"], i["item"]) for s in run["steps"] for i in s["items"] if i["status"] == "waiting"
    ]
    assert {w[0] for w in waiting} == {"rotate-shared-logins", "reenrol-2fa", "notify-security"}
    for step_id, item_id in waiting:
        result = invoke(
            world.app,
            "runs",
            "confirm",
            run["id"],
            step_id,
            "--item",
            item_id,
            "--evidence",
            "done by hand",
        )
        assert result.exit_code in (0, 5), result.stderr
    code, shown = invoke_json(world.app, "runs", "show", run["id"])
    assert shown["status"] == "completed"
    with world.app.begin() as c:
        assert set(c.execute(select(tables.credentials.c.state)).scalars()) == {"active"}
    before = end_state(world)
    code, again = invoke_json(world.app, "offboard", LEAVER, "--yes")
    assert code == 0, again
    assert again["run"]["status"] == "completed"
    assert {i["status"] for s in again["run"]["steps"] for i in s["items"]} <= {"unchanged"}
    # Every run ends with a checkpoint of the keyed trail in Vault.
    code, trail = invoke_json(world.app, "audit", "verify")
    assert code == 0, trail
    assert trail["keyed"] is True
    assert trail["anchor"]["status"] == "agrees"
    assert trail["anchor"]["seq"] == trail["checked"]
    after = end_state(world)
    assert after["vault"] == before["vault"] and after["grants"] == before["grants"]
