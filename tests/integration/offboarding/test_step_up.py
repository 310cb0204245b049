"""Step-up, attacked for real against OpenBao: the operator's seed in Vault's TOTP engine.

With ``[offboarding] step_up = true`` in the config file, a destructive command needs a
code from the operator's own seed (enrolled by ``playbooks.stepup.enroll``); Vault
checks it, the library accepts each code once and locks step-up after repeated
failures. The operator is whoever the Vault token names, not a declared ``--actor``.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accessguard.audit.chain import find_events
from accessguard.db import tables
from accessguard.errors import ConflictError, VaultForbiddenError
from accessguard.playbooks.stepup import MAX_FAILURES, enroll, operator_of
from support.offboarding import LEAVER, end_state, invoke, invoke_json, scim_active
from support.stepup import (
    audit_actions,
    current_code,
    enrolled,
    operator_token,
    run_count,
    seed_of,
    step_up_config,
    wrong_code,
)
from support.vault import admin_vault


def test_enrolment_keeps_the_seed_in_vault(world, monkeypatch) -> None:
    vault, key, uri = enrolled(world, monkeypatch)
    admin = admin_vault(world.app, world.openbao)
    assert uri.reveal().startswith("otpauth://totp/")
    assert admin.totp.exists(key)
    with pytest.raises(VaultForbiddenError):  # the tool token checks codes, never makes them
        vault.totp.code(key)
    with pytest.raises(ConflictError) as again:  # even an admin does not re-enrol over a seed
        enroll(world.app, admin, operator_of(vault))
    assert again.value.code == "step-up-enrolled"
    with world.app.begin() as conn:  # the seed is nowhere in the database
        dump = repr([conn.execute(select(t)).all() for t in tables.metadata.sorted_tables])
    assert seed_of(uri) not in dump


def test_step_up_guards_a_destructive_run(world, monkeypatch, tmp_path) -> None:
    step_up_config(on=True)
    log = tmp_path / "accessguard.log"
    monkeypatch.setenv("ACCESSGUARD_LOG_FILE", str(log))
    operator_token(world, monkeypatch)
    before = end_state(world)

    missing = invoke(world.app, "offboard", LEAVER, "--yes", "--step-up-code", "123456")
    assert missing.exit_code == 1 and "no step-up seed" in missing.stderr

    _, key, uri = enrolled(world, monkeypatch)
    code = current_code(world, key)
    refused = invoke(world.app, "offboard", LEAVER, "--yes", "--step-up-code", wrong_code(code))
    assert refused.exit_code == 2 and "step-up failed" in refused.stderr
    no_terminal = invoke(world.app, "offboard", LEAVER, "--yes")
    assert no_terminal.exit_code == 2 and "--step-up-code" in no_terminal.stderr
    assert end_state(world) == before and scim_active(world)  # nothing ran
    assert run_count(world.app) == 0

    ok = invoke(world.app, "offboard", LEAVER, "--yes", "--step-up-code", code)
    assert ok.exit_code == 5, ok.stderr
    assert not scim_active(world)
    assert "stepup.passed" in audit_actions(world.app, "stepup.")
    seed = seed_of(uri)
    assert seed not in ok.stdout + ok.stderr + refused.stderr
    assert seed not in (log.read_text(encoding="utf-8") if log.exists() else "")


def test_an_accepted_code_is_refused_when_presented_again(world, monkeypatch) -> None:
    step_up_config(on=True)
    _, key, _ = enrolled(world, monkeypatch)
    code = current_code(world, key)
    ok = invoke(world.app, "creds", "rotate", "brand-x", "--step-up-code", code)
    assert ok.exit_code == 0, ok.stderr
    before, runs = end_state(world), run_count(world.app)

    replay = invoke(world.app, "offboard", LEAVER, "--yes", "--step-up-code", code)
    assert replay.exit_code == 2, replay.stderr
    assert "already used" in replay.stderr  # refused by the library, before Vault is asked
    assert end_state(world) == before and run_count(world.app) == runs
    assert "stepup.replayed" in audit_actions(world.app, "stepup.")


def test_brute_force_locks_step_up_even_for_the_right_code(world, monkeypatch) -> None:
    step_up_config(on=True)
    _, key, _ = enrolled(world, monkeypatch)
    before = end_state(world)
    code = current_code(world, key)
    for guess in range(MAX_FAILURES):
        wrong = f"{(int(code) + 1 + guess) % 1_000_000:06d}"
        tried = invoke(world.app, "offboard", LEAVER, "--yes", "--step-up-code", wrong)
        assert tried.exit_code == 2 and "step-up failed" in tried.stderr

    right = invoke(
        world.app, "offboard", LEAVER, "--yes", "--step-up-code", current_code(world, key)
    )
    assert right.exit_code == 2, right.stderr
    assert "locked" in right.stderr
    assert end_state(world) == before and scim_active(world) and run_count(world.app) == 0
    actions = audit_actions(world.app, "stepup.")
    assert actions.count("stepup.failed") == MAX_FAILURES
    assert "stepup.locked" in actions and "stepup.refused-locked" in actions


def test_the_environment_cannot_turn_step_up_off(world, monkeypatch) -> None:
    step_up_config(on=True)
    enrolled(world, monkeypatch)
    monkeypatch.setenv("ACCESSGUARD_OFFBOARDING_STEP_UP", "false")
    monkeypatch.delenv("ACCESSGUARD_STEP_UP_CODE", raising=False)
    before = end_state(world)
    refused = invoke(world.app, "offboard", LEAVER, "--yes")
    assert refused.exit_code != 0
    assert "only the config file can" in refused.stderr  # refused loudly, not obeyed
    assert end_state(world) == before and scim_active(world) and run_count(world.app) == 0


def test_step_up_off_in_the_config_file_is_audited_at_every_run(world, monkeypatch):
    step_up_config(on=False)
    for command in ("rotate", "rollback"):
        done = invoke(
            world.app, "creds", command, "brand-x", *(("--yes",) if command == "rollback" else ())
        )
        assert done.exit_code == 0, done.stderr
    assert audit_actions(world.app, "stepup.") == ["stepup.off-by-config"] * 2


def test_a_service_identity_runs_leavers_without_a_human_factor(world, monkeypatch):
    from datetime import date

    from sqlalchemy import update

    from accessguard.db import tables

    step_up_config(on=True)
    monkeypatch.delenv("ACCESSGUARD_STEP_UP_CODE", raising=False)
    people = tables.people
    with world.app.begin() as s:
        s.execute(update(people).where(people.c.email == LEAVER).values(end_date=date(2026, 1, 1)))
    service = admin_vault(world.app, world.openbao).paths.service_policy()
    operator_token(world, monkeypatch, service)
    _, leavers = invoke_json(world.app, "leavers", "run")
    assert leavers["leavers"][0]["status"] != "refused", leavers
    assert not scim_active(world)
    assert audit_actions(world.app, "stepup.") == ["stepup.service"]


def test_step_up_is_demanded_by_every_destructive_command(world, monkeypatch):
    """The guard is the engine's: each command refuses without a code and changes nothing."""
    from datetime import date

    from sqlalchemy import update

    from accessguard.db import tables

    app = world.app
    done = invoke(
        app, "vault", "revoke-person", "cat@example.com", "--yes"
    )  # step-up off: a run to resume
    assert done.exit_code == 0, done.stderr
    _, (finished,) = invoke_json(app, "runs", "list")
    due = "2099-01-01"  # the CLI runs on the system clock, the world on a pinned one
    code, campaign = invoke_json(
        app, "review", "start", "--scope", "account", "hoot", "--reviewer", "bob@example.com",
        "--due", due,
    )  # fmt: skip
    _, (item,) = invoke_json(app, "review", "pending")
    decided = invoke(app, "--actor", "bob@example.com", "review", "decide", str(item["item"]),
                     "revoke")  # fmt: skip
    assert decided.exit_code == 0, decided.stderr
    people = tables.people
    with app.begin() as s:
        s.execute(update(people).where(people.c.email == LEAVER).values(end_date=date(2026, 1, 1)))

    step_up_config(on=True)
    monkeypatch.delenv("ACCESSGUARD_STEP_UP_CODE", raising=False)
    _, key, _ = enrolled(world, monkeypatch)
    before, runs = end_state(world), run_count(app)
    commands = [
        ("offboard", LEAVER, "--yes"),
        ("runs", "resume", finished["id"]),
        ("review", "close", str(campaign["campaign"]), "--yes"),
        ("revoke", LEAVER, "hoot", "--reason", "no longer needed"),
        ("vault", "revoke-person", LEAVER, "--yes"),
        ("creds", "rotate", "brand-x"),
        ("creds", "rollback", "brand-x", "--yes"),
    ]
    for args in commands:
        refused = invoke(app, *args)
        assert refused.exit_code == 2, (args, refused.stderr)
        assert "--step-up-code" in refused.stderr, (args, refused.stderr)
    code, leavers = invoke_json(app, "leavers", "run")
    assert code == 1 and leavers["leavers"][0]["status"] == "refused", leavers
    assert "step-up" in leavers["leavers"][0]["error"]
    assert end_state(world) == before and scim_active(world) and run_count(app) == runs
    _, report = invoke_json(app, "review", "report", str(campaign["campaign"]))
    assert report["status"] == "open"

    ok = invoke(app, "creds", "rotate", "brand-x", "--step-up-code", current_code(world, key))
    assert ok.exit_code == 0, ok.stderr


def test_the_operator_is_the_vault_token_not_the_declared_actor(world, monkeypatch):
    step_up_config(on=True)
    _, key, _ = enrolled(world, monkeypatch)
    code = current_code(world, key)
    ok = invoke(world.app, "--actor", "mallory@example.com", "creds", "rotate", "brand-x",
                "--step-up-code", code)  # fmt: skip
    assert ok.exit_code == 0, ok.stderr
    with world.app.begin() as conn:
        [passed] = [e for e in find_events(conn) if e.action == "stepup.passed"]
    assert passed.actor == "token-alice"


def test_stepup_commands_name_the_token_and_show_the_seed_only_on_a_terminal(world, monkeypatch):
    operator_token(world, monkeypatch)
    code, me = invoke_json(world.app, "--actor", "mallory@example.com", "stepup", "whoami")
    assert code == 0 and me["operator"] == "token-alice" and me["service"] is False
    refused = invoke(world.app, "stepup", "enroll")  # CliRunner's stdout is no terminal
    assert refused.exit_code == 2 and "terminal" in refused.stderr
    assert not admin_vault(world.app, world.openbao).totp.exists(me["key"])
    as_admin = invoke(world.app, "stepup", "enroll", "--operator", "token-bob")
    assert as_admin.exit_code == 2 and "terminal" in as_admin.stderr
