"""Many CLI processes at once on one PostgreSQL database and one OpenBao.

`creds rotate` (three racing processes per account, in two waves with a confirm in
between), `offboard` (two racing processes per leaver) and `report access` run as real
subprocesses, ten at a time. Afterwards: no lost update (each credential's Vault
version, database version, version rows and audit events all equal 1 + the rotations
that reported success), no deadlock (every process ends within its timeout, none
reports one), no duplicated side effect (one run per leaver, each exposed credential
rotated once), and the audit chain written by all of them verifies.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from accessguard.app import App
from accessguard.audit.chain import find_events
from accessguard.config import load_settings
from accessguard.credentials.records import get_credential
from accessguard.credentials.store import LoginValues, set_credential
from accessguard.db import tables
from accessguard.inventory.accounts import AccountInput, add_account
from accessguard.inventory.grants import add_grant
from accessguard.inventory.people import PersonInput, add_person
from accessguard.inventory.records import get_account_record
from accessguard.secret import Secret
from accessguard.vault.facade import open_vault
from support.servers import OpenBao
from support.vault import admin_vault, rebootstrap, vault_app

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROTATED = [f"rot-{i}" for i in range(4)]  # rotated by `creds rotate` only
LEAVERS = [f"leaver{i}@example.com" for i in range(4)]  # each exposed to lv-<i>
RACERS = 3  # processes per account (rotate) ...
OFFBOARDERS = 2  # ... and per leaver (offboard)
PARALLEL = 10
TIMEOUT = 240


@dataclass(frozen=True)
class Done:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def pg_app(postgres, _pg_template, clock, openbao, monkeypatch) -> Iterator[App]:
    """A fresh PostgreSQL database wired to OpenBao, seeded with accounts and leavers."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    postgres.execute(f"CREATE DATABASE {name} TEMPLATE {_pg_template}")
    app = App(settings=load_settings(overrides={"database.url": postgres.url(name)}), clock=clock)
    app = vault_app(app, openbao, monkeypatch)
    with app.begin() as s:
        for email in ["ops@example.com", *LEAVERS]:
            add_person(s, clock, "setup", PersonInput(email, email.split("@")[0]))
        for i, account in enumerate([*ROTATED, *(f"lv-{i}" for i in range(len(LEAVERS)))]):
            add_account(s, clock, "setup", AccountInput(account, "x", f"@{account}"))
        for i, email in enumerate(LEAVERS):
            add_grant(
                s,
                clock,
                "setup",
                person_email=email,
                account_ref=f"lv-{i}",
                role="login",
                via="shared-login",
            )
    rebootstrap(app, openbao)
    vault = open_vault(app)
    with app.begin() as c:
        for account in [*ROTATED, *(f"lv-{i}" for i in range(len(LEAVERS)))]:
            values = {"username": Secret(f"{account}-user"), "password": Secret(f"{account}-pw-0")}
            set_credential(
                c,
                clock,
                vault=vault,
                account=get_account_record(c, account),
                values=LoginValues(values),
                actor="setup",
            )
    yield app
    app.engine.dispose()


def run_all(app: App, commands: list[tuple[str, ...]]) -> list[Done]:
    """Run every command as its own CLI process, PARALLEL at a time; a hang fails the test."""
    env = dict(os.environ)

    def one(args: tuple[str, ...]) -> Done:
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "accessguard", "--db", app.settings.database_url, *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"{args} did not finish within {TIMEOUT}s (deadlock?)")
        return Done(args, proc.returncode, proc.stdout, proc.stderr)

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        done = list(pool.map(one, commands))
    for d in done:
        assert "Traceback" not in d.stderr and "unexpected" not in d.stderr, d
        assert "deadlock" not in d.stderr.lower(), d
    return done


def wave(app: App, *, offboard: bool) -> dict[str, int]:
    """Racing rotations (and offboardings), mixed with reports; successes per account."""
    commands: list[tuple[str, ...]] = []
    for _ in range(RACERS):
        commands += [("creds", "rotate", account, "--json") for account in ROTATED]
        commands.append(("report", "access", "--format", "json"))
    if offboard:
        for _ in range(OFFBOARDERS):
            commands += [("offboard", email, "--yes", "--concurrency", "2") for email in LEAVERS]
    done = run_all(app, sorted(commands, key=lambda c: hash((c, uuid.uuid4()))))
    wins: Counter[str] = Counter()
    for d in done:
        if d.args[0] == "creds":
            if d.code == 0:
                assert json.loads(d.stdout)["outcome"] == "changed"
                wins[d.args[2]] += 1
            else:
                assert d.code == 1, d
                first = d.stderr.splitlines()[0]
                # `creds rotate` is a run locked per account: a racer finds it in progress,
                # or (after the winner's run) the rotation already pending.
                assert any(
                    why in first for why in ("already pending", "won the race", "in progress")
                ), d
        elif d.args[0] == "report":
            assert d.code == 0, d
            json.loads(d.stdout)
        else:
            assert d.code in (1, 5), d
            if d.code == 1:
                assert "in progress" in d.stderr.splitlines()[0], d
    if offboard:
        codes = Counter((d.args[1], d.code) for d in done if d.args[0] == "offboard")
        assert all(codes[(email, 5)] == 1 for email in LEAVERS), codes
    return dict(wins)


def versions(app: App, openbao: OpenBao, account: str) -> dict[str, int]:
    """The account's current version as Vault, the database and the audit trail see it."""
    admin = admin_vault(app, openbao)
    meta = admin.kv.metadata(admin.paths.secret(account))
    with app.begin() as c:
        credential = get_credential(c, get_account_record(c, account))
        cv = tables.credential_versions.c
        rows = c.execute(select(func.count()).where(cv.credential_id == credential.id)).scalar_one()
        events = sum(e.target == account for e in find_events(c, action="credential.rotate"))
    return {
        "vault": meta.current_version if meta else 0,
        "db": credential.current_version,
        "rows": rows,
        "rotations": events + 1,
    }


def test_racing_processes_on_postgres(pg_app: App, openbao) -> None:
    app = pg_app
    first = wave(app, offboard=True)
    assert first == {account: 1 for account in ROTATED}, first  # exactly one winner each
    run_all(app, [("creds", "confirm", account) for account in ROTATED])
    second = wave(app, offboard=False)
    assert second == {account: 1 for account in ROTATED}, second
    for account in ROTATED:
        v = versions(app, openbao, account)
        assert v == {"vault": 3, "db": 3, "rows": 3, "rotations": 3}, (account, v)
    for i, email in enumerate(LEAVERS):
        v = versions(app, openbao, f"lv-{i}")
        assert v == {"vault": 2, "db": 2, "rows": 2, "rotations": 2}, (email, v)
    runs_table = tables.runs.c
    with app.begin() as s:
        all_runs = s.execute(
            select(runs_table.subject, runs_table.playbook, runs_table.status)
        ).all()
        runs = Counter(r.subject for r in all_runs if r.playbook != "creds-rotate")
        assert runs == {email: 1 for email in LEAVERS}, runs
        # Every rotation is a run too: one completed per account and wave (the winner's);
        # a racer that came after the winner has a run whose item failed (already pending).
        won = Counter(
            r.subject for r in all_runs if r.playbook == "creds-rotate" and r.status == "completed"
        )
        assert won == {f"account:{account}": 2 for account in ROTATED}, won
    verified = run_all(app, [("audit", "verify", "--json")])[0]
    assert verified.code == 0 and json.loads(verified.stdout)["ok"] is True, verified
