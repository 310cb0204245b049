"""Runs that tell the truth: evidence files, `confirm --all`, interrupted runs, resumes, the QR hint.

End to end with OpenBao, scim2-server and the Meta fake, on SQLite and PostgreSQL. The
crash and live-lock tests run the offboarding in a real subprocess (``crashing_cli``).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from accessguard.app import App
from accessguard.audit.chain import find_events
from accessguard.clock import FixedClock
from accessguard.config import load_settings
from accessguard.db import tables
from accessguard.playbooks.lock import LEASE
from support.fake_meta import MetaFake
from support.offboarding import LEAVER, World, build_world, cli_process, invoke, invoke_json
from support.vault import vault_app

BOB = "bob@example.com"


@pytest.fixture
def any_world(
    database_url: str, clock: FixedClock, openbao: Any, scim: Any, monkeypatch: Any
) -> Iterator[World]:
    """The example company on SQLite and on PostgreSQL."""
    app = App(settings=load_settings(overrides={"database.url": database_url}), clock=clock)
    with MetaFake() as meta:
        yield build_world(vault_app(app, openbao, monkeypatch), openbao, scim, meta)
    app.engine.dispose()


def _offboard(world: World) -> dict[str, Any]:
    result = invoke(world.app, "offboard", LEAVER, "--yes", "--json")
    assert result.exit_code == 5, result.stderr
    return dict(json.loads(result.stdout)["run"])


def _items(world: World, run_id: str, step_id: str) -> dict[str, dict[str, Any]]:
    _, shown = invoke_json(world.app, "runs", "show", run_id)
    [step] = [s for s in shown["steps"] if s["id"] == step_id]
    return {i["item"]: i for i in step["items"]}


def _events(world: World, action: str) -> list[Any]:
    with world.app.begin() as conn:
        return [e for e in find_events(conn) if e.action == action]


def test_an_evidence_files_hash_and_name_are_stored_shown_and_audited(
    any_world: World, tmp_path: Path
) -> None:
    run = _offboard(any_world)
    content = b"screenshot bytes: MARKER-7f3a the file itself is never stored\n" * 100
    proof = tmp_path / "security-ticket.png"
    proof.write_bytes(content)
    digest = hashlib.sha256(content).hexdigest()

    done = invoke(any_world.app, "runs", "confirm", run["id"], "notify-security",
                  "--evidence", "told security, SEC-9", "--evidence-file", str(proof))  # fmt: skip
    assert done.exit_code in (0, 5), done.stderr

    [item] = _items(any_world, run["id"], "notify-security").values()
    assert item["status"] == "done"
    assert item["evidence"] == "told security, SEC-9"
    assert item["evidence_sha256"] == digest
    assert item["evidence_file"] == "security-ticket.png"
    text = invoke(any_world.app, "runs", "show", run["id"]).stdout
    assert f"security-ticket.png sha256:{digest}" in text
    [event] = _events(any_world, "run.confirm")
    assert event.details["evidence_sha256"] == digest
    assert event.details["evidence_file"] == "security-ticket.png"
    with any_world.app.begin() as conn:
        stored = json.dumps([list(r) for r in conn.execute(select(tables.run_items))], default=str)
        audit = json.dumps([e.details for e in find_events(conn)])
    assert "MARKER-7f3a" not in stored + audit


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/dev/zero", "not a regular file"),
        ("fifo", "not a regular file"),
        ("missing.pdf", "no such file"),
        ("big.bin", "larger than"),
    ],
)
def test_a_bad_evidence_file_is_refused_in_one_line_and_nothing_changes(
    world: World, tmp_path: Path, monkeypatch: Any, path: str, says: str
) -> None:
    """A FIFO or a device must not hang or exhaust the command; a huge file is refused unread."""
    run = _offboard(world)
    if path == "fifo":
        os.mkfifo(tmp_path / "fifo")  # nobody ever writes to it: a blocking open would hang
    if path == "big.bin":
        monkeypatch.setattr("accessguard.playbooks.evidence.MAX_EVIDENCE_BYTES", 1024)
        (tmp_path / "big.bin").write_bytes(b"x" * 2048)
    target = path if path.startswith("/") else str(tmp_path / path)
    refused = invoke(world.app, "runs", "confirm", run["id"], "notify-security",
                     "--evidence", "done", "--evidence-file", target)  # fmt: skip
    assert refused.exit_code == 2
    assert says in refused.stderr
    assert refused.stderr.strip().startswith("error:")
    assert "Traceback" not in refused.stderr
    [item] = _items(world, run["id"], "notify-security").values()
    assert item["status"] == "waiting"
    assert _events(world, "run.confirm") == []


def test_confirm_all_lists_the_items_then_confirms_every_one_with_one_command(
    any_world: World,
) -> None:
    run = _offboard(any_world)
    step = "rotate-shared-logins"
    waiting = sorted(_items(any_world, run["id"], step))
    assert len(waiting) == 2

    vague = invoke(any_world.app, "runs", "confirm", run["id"], step, "--evidence", "done")
    assert vague.exit_code == 2 and "--all" in vague.stderr
    unasked = invoke(any_world.app, "runs", "confirm", run["id"], step, "--all",
                     "--evidence", "done")  # fmt: skip
    assert unasked.exit_code == 2 and "no terminal" in unasked.stderr
    assert unasked.stderr.splitlines()[-2:] == [
        "error: refusing to go ahead without confirmation: there is no terminal to ask on",
        "hint: review the list above, then pass --yes",
    ]
    assert "Traceback" not in unasked.stderr
    assert {i["status"] for i in _items(any_world, run["id"], step).values()} == {"waiting"}
    assert _events(any_world, "run.confirm") == []

    done = invoke(any_world.app, "runs", "confirm", run["id"], step, "--all", "--yes",
                  "--evidence", "changed on both platforms, IT-77")  # fmt: skip
    assert done.exit_code in (0, 5), done.stderr
    listed = done.stderr.index("will be confirmed")
    for item_id in waiting:
        assert listed < done.stderr.index(f"  {item_id}:") < done.stderr.index(f"confirmed {step}")
    assert {i["status"] for i in _items(any_world, run["id"], step).values()} == {"done"}
    targets = sorted(e.target for e in _events(any_world, "run.confirm"))
    assert targets == [f"{run['id']}/{step}/{item_id}" for item_id in waiting]
    with any_world.app.begin() as conn:
        states = set(conn.execute(select(tables.credentials.c.state)).scalars())
    assert states == {"active"}  # each confirmation acted: the new passwords are current


def _wait_for_run(world: World, proc: Any, timeout: float = 60) -> dict[str, Any]:
    """The run the subprocess started, once its items of ``rotate-shared-logins`` act."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        code, runs = invoke_json(world.app, "runs", "list")
        if code == 0 and runs:
            items = _items(world, runs[0]["id"], "rotate-shared-logins")
            if any(i["status"] == "running" for i in items.values()):
                return dict(runs[0])
        time.sleep(0.3)
    raise AssertionError("the run never reached rotate-shared-logins")


def test_a_killed_run_shows_interrupted_and_a_resume_by_another_actor_acts_for_it(
    any_world: World,
) -> None:
    proc = cli_process(any_world.app, "offboard", LEAVER, "--yes",
                       crash_at="rotate-shared-logins:credential-1:after")  # fmt: skip
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == -signal.SIGKILL, err.decode()[-2000:]
    with any_world.app.begin() as conn:
        [dead] = conn.execute(select(tables.run_locks.c.holder)).scalars()

    _, runs = invoke_json(any_world.app, "runs", "list")
    [run] = runs
    assert run["status"] == "interrupted"
    assert run["hint"] == f"accessguard runs resume {run['id']}"
    _, only = invoke_json(any_world.app, "runs", "list", "--status", "interrupted")
    assert [r["id"] for r in only] == [run["id"]]
    _, running = invoke_json(any_world.app, "runs", "list", "--status", "running")
    assert running == []
    shown = invoke(any_world.app, "runs", "show", run["id"]).stdout
    assert "interrupted" in shown and f"runs resume {run['id']}" in shown

    resumed = invoke(any_world.app, "--actor", BOB, "runs", "resume", run["id"])
    assert resumed.exit_code == 5, resumed.stderr
    [resume] = _events(any_world, "run.resume")
    assert resume.actor == BOB
    assert resume.details["took_over_lock_of"] == dead
    assert resume.details["previous_actor"] == "tester@example.com"
    [takeover] = _events(any_world, "run.lock-takeover")
    assert takeover.actor == BOB
    assert takeover.details["holder"] == dead
    [final] = _events(any_world, "run.waiting")
    assert final.actor == BOB
    with any_world.app.begin() as conn:
        after = [e for e in find_events(conn) if e.seq > resume.seq and e.run_id == run["id"]]
    assert after and {e.actor for e in after} == {BOB}
    _, shown_after = invoke_json(any_world.app, "runs", "show", run["id"])
    assert shown_after["status"] == "waiting"
    assert shown_after["resumed_by"] == BOB


def test_a_live_runs_lock_is_never_taken_over(any_world: World) -> None:
    proc = cli_process(any_world.app, "offboard", LEAVER, "--yes",
                       delay="rotate-shared-logins:120", beat_every="0.2")  # fmt: skip
    try:
        run = _wait_for_run(any_world, proc)
        assert run["status"] == "running" and run["hint"] is None
        with any_world.app.begin() as conn:
            [(holder, first)] = conn.execute(
                select(tables.run_locks.c.holder, tables.run_locks.c.heartbeat_at)
            ).all()
        assert holder.endswith(f":{proc.pid}")
        time.sleep(1)
        with any_world.app.begin() as conn:
            [later] = conn.execute(select(tables.run_locks.c.heartbeat_at)).scalars()
        assert later > first  # the live holder beats while its items are busy

        refused = invoke(any_world.app, "--actor", BOB, "runs", "resume", run["id"])
        assert refused.exit_code == 1
        assert "in progress" in refused.stderr and "Traceback" not in refused.stderr
        with any_world.app.begin() as conn:
            assert list(conn.execute(select(tables.run_locks.c.holder)).scalars()) == [holder]
        assert _events(any_world, "run.resume") == []
        assert _events(any_world, "run.lock-takeover") == []
    finally:
        proc.kill()
        proc.communicate(timeout=30)
    _, after = invoke_json(any_world.app, "runs", "show", run["id"])
    assert after["status"] == "interrupted"  # the same run, once its process is gone
    assert invoke(any_world.app, "runs", "unlock", run["id"]).exit_code == 0
    _, unlocked = invoke_json(any_world.app, "runs", "show", run["id"])
    assert unlocked["status"] == "interrupted"  # running, and nobody holds its lock


def test_a_reenrolment_without_a_terminal_says_how_to_show_the_qr(
    any_world: World, monkeypatch: Any
) -> None:
    run = _offboard(any_world)  # CliRunner: stderr is no terminal, the QR cannot be shown
    [item] = _items(any_world, run["id"], "reenrol-2fa").values()
    assert item["status"] == "waiting"
    assert "`accessguard totp show-qr brand-x`" in item["instructions"]
    assert item["details"]["show_with"] == "accessguard totp show-qr brand-x"
    with any_world.app.begin() as conn:
        [before] = conn.execute(select(tables.totp_keys.c.pending_generation)).scalars()

    shown = invoke(any_world.app, "--actor", BOB, "totp", "show-qr", "brand-x", "--show-secrets")
    assert shown.exit_code == 0, shown.stderr
    assert "shown once" in shown.stderr
    with any_world.app.begin() as conn:
        key = conn.execute(select(tables.totp_keys)).one()
        exposure = conn.execute(
            select(tables.exposures).where(tables.exposures.c.reason == "show-qr")
        ).one()
        bob_id = conn.execute(
            select(tables.people.c.id).where(tables.people.c.email == BOB)
        ).scalar_one()
    assert key.pending_generation == before + 1  # a fresh seed in place of the unseen one
    assert exposure.person_id == bob_id
    assert exposure.kind == "seed-shown" and exposure.field == "totp_seed"
    assert exposure.version == key.pending_generation
    [event] = _events(any_world, "totp.show-qr")
    assert event.actor == BOB

    again = invoke(any_world.app, "--actor", BOB, "totp", "show-qr", "brand-x", "--show-secrets")
    assert again.exit_code == 1 and "never shown twice" in again.stderr
    assert "otpauth" not in again.stdout

    done = invoke(any_world.app, "runs", "confirm", run["id"], "reenrol-2fa",
                  "--evidence", "enrolled from the QR")  # fmt: skip
    assert done.exit_code in (0, 5), done.stderr
    with any_world.app.begin() as conn:
        current = conn.execute(select(tables.totp_keys)).one()
    assert current.generation == key.pending_generation
    assert current.pending_generation is None


def test_show_qr_needs_step_up_and_a_pending_seed(world: World, monkeypatch: Any) -> None:
    from support.stepup import current_code, enrolled, step_up_config

    nothing = invoke(world.app, "--actor", BOB, "totp", "show-qr", "brand-x", "--show-secrets")
    assert nothing.exit_code == 1 and "no 2FA re-enrolment pending" in nothing.stderr
    _offboard(world)
    step_up_config(on=True)
    monkeypatch.delenv("ACCESSGUARD_STEP_UP_CODE", raising=False)
    _, key, _uri = enrolled(world, monkeypatch)
    with world.app.begin() as conn:
        [before] = conn.execute(select(tables.totp_keys.c.pending_generation)).scalars()
    refused = invoke(world.app, "--actor", BOB, "totp", "show-qr", "brand-x", "--show-secrets")
    assert refused.exit_code == 2 and "--step-up-code" in refused.stderr
    assert refused.stdout == ""
    with world.app.begin() as conn:
        assert list(conn.execute(select(tables.totp_keys.c.pending_generation)).scalars()) == [
            before
        ]
        shown_to = conn.execute(
            select(tables.exposures.c.id).where(tables.exposures.c.reason == "show-qr")
        ).all()
    assert shown_to == []  # refused: nothing issued, nothing recorded as seen
    shown = invoke(world.app, "--actor", BOB, "totp", "show-qr", "brand-x", "--show-secrets",
                   "--step-up-code", current_code(world, key))  # fmt: skip
    assert shown.exit_code == 0, shown.stderr


def _held_elsewhere(world: World, run_id: str, heartbeat_age: timedelta) -> str:
    """Make ``run_id`` look run by a process on another host whose last beat is that old."""
    now = datetime.now(UTC)
    holder = "worker-2.example.internal:4242"
    with world.app.begin() as conn:
        conn.execute(update(tables.runs).where(tables.runs.c.id == run_id).values(status="running"))
        conn.execute(
            insert(tables.run_locks).values(
                subject=LEAVER,
                run_id=run_id,
                holder=holder,
                acquired_at=now - timedelta(hours=1),
                heartbeat_at=now - heartbeat_age,
            )
        )
    return holder


def test_another_hosts_holder_is_live_while_it_beats_and_dead_once_its_lease_expires(
    any_world: World,
) -> None:
    run = _offboard(any_world)
    holder = _held_elsewhere(any_world, run["id"], timedelta(seconds=20))
    _, shown = invoke_json(any_world.app, "runs", "show", run["id"])
    assert shown["status"] == "running"
    refused = invoke(any_world.app, "--actor", BOB, "runs", "resume", run["id"])
    assert refused.exit_code == 1 and "in progress" in refused.stderr
    assert _events(any_world, "run.lock-takeover") == []

    with any_world.app.begin() as conn:  # the holder stops beating: past the lease
        conn.execute(update(tables.run_locks).values(heartbeat_at=datetime.now(UTC) - LEASE * 2))
    _, shown = invoke_json(any_world.app, "runs", "show", run["id"])
    assert shown["status"] == "interrupted"
    resumed = invoke(any_world.app, "--actor", BOB, "runs", "resume", run["id"])
    assert resumed.exit_code == 5, resumed.stderr
    [takeover] = _events(any_world, "run.lock-takeover")
    assert takeover.actor == BOB and takeover.details["holder"] == holder
    with any_world.app.begin() as conn:
        assert conn.execute(select(tables.run_locks)).all() == []  # released at the end


def _pending_generation(world: World) -> int | None:
    with world.app.begin() as conn:
        [generation] = conn.execute(select(tables.totp_keys.c.pending_generation)).scalars()
    return int(generation) if generation is not None else None


@pytest.mark.parametrize("issued_by", ["a run on a terminal", "totp regenerate"])
def test_show_qr_never_replaces_a_seed_someone_saw(world: World, issued_by: str) -> None:
    """A seed shown when it was issued may be enrolled already: replacing it could lock out."""
    if issued_by == "totp regenerate":
        issued = invoke(world.app, "totp", "regenerate", "brand-x", "--show-secrets")
    else:
        issued = invoke(world.app, "offboard", LEAVER, "--yes", "--show-secrets")
    assert issued.exit_code in (0, 5), issued.stderr
    before = _pending_generation(world)
    assert before is not None

    refused = invoke(world.app, "--actor", BOB, "totp", "show-qr", "brand-x", "--show-secrets")
    assert refused.exit_code == 1
    assert "never shown twice" in refused.stderr and "Traceback" not in refused.stderr
    assert refused.stdout == ""
    assert _pending_generation(world) == before
    assert _events(world, "totp.show-qr") == []
