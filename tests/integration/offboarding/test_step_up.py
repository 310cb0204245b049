"""Step-up: with [offboarding] step_up on, a destructive playbook needs the operator's own TOTP."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pyotp
import pytest
from keyring.backend import KeyringBackend

from support.offboarding import LEAVER, end_state, invoke, scim_active


class _Memory(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[_Memory]:
    previous = keyring.get_keyring()
    memory = _Memory()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


def test_step_up_guards_a_destructive_run(world, memory_keyring, monkeypatch) -> None:
    monkeypatch.setenv("ACCESSGUARD_OFFBOARDING_STEP_UP", "true")
    before = end_state(world)

    missing = invoke(world.app, "offboard", LEAVER, "--yes", "--step-up-code", "123456")
    assert missing.exit_code == 1 and "no TOTP secret is stored" in missing.stderr

    seed = pyotp.random_base32()
    memory_keyring.set_password("accessguard", "step-up:tester@example.com", seed)
    wrong = pyotp.TOTP(seed).at(world.app.clock.now().timestamp() - 3600)
    refused = invoke(world.app, "offboard", LEAVER, "--yes", "--step-up-code", wrong)
    assert refused.exit_code == 2 and "step-up failed" in refused.stderr
    no_terminal = invoke(world.app, "offboard", LEAVER, "--yes")
    assert no_terminal.exit_code == 2 and "--step-up-code" in no_terminal.stderr
    assert end_state(world) == before and scim_active(world)  # nothing ran

    ok = invoke(world.app, "offboard", LEAVER, "--yes", "--step-up-code", pyotp.TOTP(seed).now())
    assert ok.exit_code == 5, ok.stderr
    assert not scim_active(world)
    assert seed not in ok.stdout + ok.stderr


def test_step_up_is_demanded_by_every_destructive_command(world, memory_keyring, monkeypatch):
    """The guard is the engine's: each command refuses without a code and changes nothing."""
    from datetime import date

    from sqlalchemy import update

    from accessguard.db import tables
    from support.offboarding import invoke_json

    app = world.app
    done = invoke(app, "vault", "revoke-person", "cat@example.com")  # step-up off: a run to resume
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

    monkeypatch.setenv("ACCESSGUARD_OFFBOARDING_STEP_UP", "true")
    monkeypatch.delenv("ACCESSGUARD_STEP_UP_CODE", raising=False)
    seed = pyotp.random_base32()
    memory_keyring.set_password("accessguard", "step-up:tester@example.com", seed)
    before = end_state(world)
    commands = [
        ("offboard", LEAVER, "--yes"),
        ("runs", "resume", finished["id"]),
        ("review", "close", str(campaign["campaign"])),
        ("revoke", LEAVER, "hoot", "--reason", "no longer needed"),
        ("vault", "revoke-person", LEAVER),
        ("creds", "rotate", "brand-x"),
        ("creds", "rollback", "brand-x"),
    ]
    for args in commands:
        refused = invoke(app, *args)
        assert refused.exit_code == 2, (args, refused.stderr)
        assert "--step-up-code" in refused.stderr, (args, refused.stderr)
    code, leavers = invoke_json(app, "leavers", "run")
    assert code == 1 and leavers["leavers"][0]["status"] == "refused", leavers
    assert "step-up" in leavers["leavers"][0]["error"]
    assert end_state(world) == before and scim_active(world)  # nothing ran
    _, report = invoke_json(app, "review", "report", str(campaign["campaign"]))
    assert report["status"] == "open"

    ok = invoke(app, "creds", "rotate", "brand-x", "--step-up-code", pyotp.TOTP(seed).now())
    assert ok.exit_code == 0, ok.stderr
