"""Step-up beyond runs: secrets and codes of critical accounts, and confirming a rotation.

``creds reveal`` and ``totp code`` of an account marked critical, and ``runs confirm``
of an item whose confirmation acts (a rotation's new password becomes active), need
the operator's code like any destructive run; other accounts and checklists do not.
"""

from __future__ import annotations

from sqlalchemy import select, update

from accessguard.db import tables
from support.offboarding import LEAVER, World, invoke, invoke_json
from support.stepup import (
    audit_actions,
    current_code,
    enrolled,
    next_code,
    seed_of,
    step_up_config,
)


def _critical(world: World, name: str) -> None:
    with world.app.begin() as conn:
        conn.execute(
            update(tables.accounts)
            .where(tables.accounts.c.name == name)
            .values(criticality="critical")
        )


def _exposures(world: World) -> int:
    with world.app.begin() as conn:
        return len(conn.execute(select(tables.exposures.c.id)).all())


def test_a_critical_accounts_secret_and_code_need_step_up(world, monkeypatch) -> None:
    step_up_config(on=True)
    monkeypatch.delenv("ACCESSGUARD_STEP_UP_CODE", raising=False)
    _, key, uri = enrolled(world, monkeypatch)
    ann = ("--actor", LEAVER)  # an exposure is recorded against the operator who reveals
    plain = invoke(world.app, *ann, "creds", "reveal", "brand-yt", "--reason", "post")
    assert plain.exit_code == 0, plain.stderr  # not critical: no step-up
    _critical(world, "brand-yt")
    _critical(world, "brand-x")
    exposures = _exposures(world)

    for args in (("creds", "reveal", "brand-yt"), ("totp", "code", "brand-x")):
        refused = invoke(world.app, *ann, *args, "--reason", "post")
        assert refused.exit_code == 2, (args, refused.stderr)
        assert "--step-up-code" in refused.stderr
        assert refused.stdout == ""
    assert _exposures(world) == exposures  # nothing shown, nothing recorded as exposed

    code = current_code(world, key)
    shown = invoke(world.app, *ann, "creds", "reveal", "brand-yt", "--reason", "post",
                   "--step-up-code", code)  # fmt: skip
    assert shown.exit_code == 0, shown.stderr
    assert "brand-yt-initial-pw-0" in shown.stdout
    replay = invoke(world.app, *ann, "totp", "code", "brand-x", "--reason", "post",
                    "--step-up-code", code)  # fmt: skip
    assert replay.exit_code == 2 and "already used" in replay.stderr
    fresh = invoke(world.app, *ann, "totp", "code", "brand-x", "--reason", "post",
                   "--step-up-code", next_code(uri))  # fmt: skip
    assert fresh.exit_code == 0, fresh.stderr
    assert seed_of(uri) not in shown.stdout + shown.stderr + fresh.stdout + fresh.stderr
    assert audit_actions(world.app, "stepup.").count("stepup.passed") == 2


def test_confirming_a_rotation_needs_step_up(world, monkeypatch) -> None:
    step_up_config(on=True)
    monkeypatch.delenv("ACCESSGUARD_STEP_UP_CODE", raising=False)
    _, key, uri = enrolled(world, monkeypatch)
    code, out = invoke_json(world.app, "offboard", LEAVER, "--yes", "--step-up-code",
                            current_code(world, key))  # fmt: skip
    assert code == 5, out
    run = out["run"]
    waiting = {
        s["id"]: [i["item"] for i in s["items"] if i["status"] == "waiting"] for s in run["steps"]
    }
    rotation = ("runs", "confirm", run["id"], "rotate-shared-logins", "--item",
                waiting["rotate-shared-logins"][0], "--evidence", "set on the platform")  # fmt: skip

    refused = invoke(world.app, *rotation)
    assert refused.exit_code == 2 and "--step-up-code" in refused.stderr
    _, shown = invoke_json(world.app, "runs", "show", run["id"])
    [step] = [s for s in shown["steps"] if s["id"] == "rotate-shared-logins"]
    assert {i["status"] for i in step["items"]} == {"waiting"}

    checklist = invoke(world.app, "runs", "confirm", run["id"], "notify-security",
                       "--evidence", "told them")  # fmt: skip
    assert checklist.exit_code in (0, 5), checklist.stderr  # nothing destructive: no code
    done = invoke(world.app, *rotation, "--step-up-code", next_code(uri))
    assert done.exit_code in (0, 5), done.stderr


def test_confirming_a_rotation_directly_needs_step_up(world, monkeypatch) -> None:
    step_up_config(on=True)
    monkeypatch.delenv("ACCESSGUARD_STEP_UP_CODE", raising=False)
    _, key, uri = enrolled(world, monkeypatch)
    rotated = invoke(world.app, "creds", "rotate", "brand-x", "--step-up-code",
                     current_code(world, key))  # fmt: skip
    assert rotated.exit_code == 0, rotated.stderr
    refused = invoke(world.app, "creds", "confirm", "brand-x")
    assert refused.exit_code == 2 and "--step-up-code" in refused.stderr
    with world.app.begin() as conn:
        states = set(conn.execute(select(tables.credentials.c.state)).scalars())
    assert "rotation-pending" in states
    done = invoke(world.app, "creds", "confirm", "brand-x", "--step-up-code", next_code(uri))
    assert done.exit_code == 0, done.stderr


def test_confirming_a_handover_that_releases_held_removals_needs_step_up(
    world, monkeypatch
) -> None:
    """A handover confirmation lets the held platform removals run at once: destructive."""
    from accessguard.inventory.grants import add_grant
    from accessguard.inventory.records import get_account_record
    from support.offboarding import scim_active
    from support.scim_users import add_user, set_roles

    with world.app.begin() as s:
        add_grant(s, world.app.clock, "setup", person_email=LEAVER, account_ref="hoot",
                  role="admin", via="platform-role")  # fmt: skip
        hoot = f"account-{get_account_record(s, 'hoot').id}"
    set_roles(world.scim, world.scim_user_id, ["admin"])
    add_user(world.scim, "cat@example.com")
    step_up_config(on=True)
    monkeypatch.delenv("ACCESSGUARD_STEP_UP_CODE", raising=False)
    _, key, uri = enrolled(world, monkeypatch)
    code, out = invoke_json(world.app, "offboard", LEAVER, "--yes", "--successor",
                            "cat@example.com", "--step-up-code", current_code(world, key))  # fmt: skip
    assert code == 5, out
    run_id = out["run"]["id"]
    handover = ("runs", "confirm", run_id, "handover", "--item", hoot, "--evidence", "IT-42")

    refused = invoke(world.app, *handover)
    assert refused.exit_code == 2 and "--step-up-code" in refused.stderr
    assert scim_active(world)  # nothing was released
    done = invoke(world.app, *handover, "--step-up-code", next_code(uri))
    assert done.exit_code in (0, 5), done.stderr
    assert not scim_active(world)
