"""Guards: the handover guard, confirmation, one run per subject (across processes and databases)."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, update

from accessguard.db import tables
from accessguard.errors import LockHeldError
from accessguard.inventory.grants import revoke_grants
from accessguard.inventory.people import PersonInput, add_person
from accessguard.playbooks import lock
from support.offboarding import LEAVER, cli_process, end_state, invoke, invoke_json


def test_sole_admin_without_successor_is_refused(world) -> None:
    with world.app.begin() as s:
        revoke_grants(
            s,
            world.app.clock,
            "hr",
            person_email="bob@example.com",
            account_ref="brand-fb",
            reason="moved",
        )
    before = end_state(world)
    result = invoke(world.app, "offboard", LEAVER, "--yes")
    assert result.exit_code == 1
    assert "would leave brand-fb (facebook) with no active admin or owner" in result.stderr
    assert "--successor" in result.stderr
    assert end_state(world) == before
    code, out = invoke_json(
        world.app, "offboard", LEAVER, "--dry-run", "--successor", "cat@example.com"
    )
    assert code == 0
    handover = next(s for s in out["plan"]["steps"] if s["id"] == "handover")
    assert handover["items"][0]["params"]["inheritor"] == "cat@example.com"
    code, forced = invoke_json(world.app, "offboard", LEAVER, "--dry-run", "--force")
    assert code == 0 and "no active admin or owner (--force)" in forced["plan"]["warnings"][0]


def test_no_terminal_and_no_yes_refuses(world) -> None:
    before = end_state(world)
    result = invoke(world.app, "offboard", LEAVER, input="y\n")
    assert result.exit_code == 2
    # the one wording every destructive command refuses with (cli/options.py confirm_or_refuse)
    refusal = [line for line in result.stderr.splitlines() if line.startswith(("error:", "hint:"))]
    assert refusal == [
        "error: refusing to go ahead without confirmation: there is no terminal to ask on",
        "hint: review the plan with --dry-run, then pass --yes",
    ]
    assert end_state(world) == before


def test_two_processes_for_the_same_person(world) -> None:
    procs = [cli_process(world.app, "offboard", LEAVER, "--yes") for _ in range(2)]
    results = [(p.wait(timeout=120), p.stderr.read().decode() if p.stderr else "") for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes[0] != codes[1] and 5 in codes, results
    loser = next(err for code, err in results if code != 5)
    assert "in progress" in loser, loser
    assert end_state(world)["runs"] == ["waiting"]


def _set_holder(conn: Connection, subject: str, holder: str) -> None:
    """Pretend another process holds the subject's lock."""
    locks = tables.run_locks
    conn.execute(update(locks).where(locks.c.subject == subject).values(holder=holder))


def test_lock_is_one_insert_per_subject(app) -> None:
    with app.begin() as s:
        add_person(s, app.clock, "hr", PersonInput("zed@example.com", "Zed"))
    with app.begin() as s:
        lock.acquire(s, app.clock, "zed@example.com", "run-a", actor="hr")
    with pytest.raises(LockHeldError, match="run-a"), app.begin() as s:
        lock.acquire(s, app.clock, "zed@example.com", "run-b", actor="hr")
    with app.begin() as s:
        _set_holder(s, "zed@example.com", "elsewhere.example:1")
    with pytest.raises(LockHeldError), app.begin() as s:
        lock.acquire(s, app.clock, "zed@example.com", "run-b", actor="hr")
    with app.begin() as s:
        import socket

        _set_holder(s, "zed@example.com", f"{socket.gethostname()}:999999999")
    with app.begin() as s:  # a holder whose process is gone on this host is taken over
        lock.acquire(s, app.clock, "zed@example.com", "run-b", actor="hr")
    with app.begin() as s:
        lock.release(s, "zed@example.com", "run-b")
        assert lock.holder_of(s, "zed@example.com") is None
