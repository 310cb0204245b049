"""Two leavers sharing 20 shared logins: each login is rotated exactly once, both runs complete.

End to end on OpenBao, scim2-server (their suite seats) and the parametrized database
(SQLite and PostgreSQL): offboarded one after the other, the second run's rotation
items join the first run's pending rotations (waiting, naming that run) instead of
failing; offboarded at the same time, whichever rotation wins each check-and-set is
the one both runs share. Vault's KV versions are counted with the root token.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from accessguard.app import App
from accessguard.audit.chain import find_events
from accessguard.credentials.store import LoginValues, reveal, set_credential
from accessguard.db import tables
from accessguard.inventory.accounts import AccountInput, add_account
from accessguard.inventory.grants import add_grant
from accessguard.inventory.people import PersonInput, add_person
from accessguard.inventory.records import get_account_record, get_person_record
from accessguard.playbooks import state
from accessguard.playbooks.hooks import Phase, RunHooks
from accessguard.playbooks.loader import parse_playbook
from accessguard.playbooks.planner import build_plan
from accessguard.playbooks.run_report import RunReport
from accessguard.playbooks.runner import run_plan
from accessguard.secret import Secret
from accessguard.vault.facade import open_vault
from support.egress import admin_allows
from support.offboarding import World, invoke
from support.scim_users import add_user, server_user
from support.servers import OpenBao, ScimServer
from support.stepup import current_code, enrolled, run_count, step_up_config
from support.vault import admin_vault, rebootstrap, vault_app

LEAVERS = ("amy@example.com", "ben@example.com")
LOGINS = tuple(f"login-{i:02d}" for i in range(20))
STEP = "rotate-shared-logins"
PLAYBOOK = f"""\
name: shared-leavers
description: Leavers who share logins.
steps:
  - {{id: mark-leaving, action: mark-leaving}}
  - {{id: revoke-seats, action: revoke-access, for_each: grants}}
  - {{id: end-grants, action: end-grants, for_each: grants, args: {{reason: left}}}}
  - {{id: {STEP}, action: rotate-credential, for_each: exposed_credentials, on_failure: continue}}
  - {{id: mark-departed, action: mark-departed}}
"""


@pytest.fixture
def shared(app: App, openbao: OpenBao, scim: ScimServer, monkeypatch) -> dict[str, str]:
    """Amy and Ben: a SCIM suite seat each and the same 20 shared logins; their SCIM ids."""
    app = vault_app(app, openbao, monkeypatch)
    admin_allows(scim.url, app=app)
    actor = "setup@example.com"
    with app.begin() as s:
        for email in LEAVERS:
            add_person(s, app.clock, actor, PersonInput(email, email.split("@")[0].title()))
        add_account(
            s,
            app.clock,
            actor,
            AccountInput("suite", "hootsuite", "northwind", settings={"base_url": scim.url}),
        )
        for name in LOGINS:
            add_account(s, app.clock, actor, AccountInput(name, "x", f"@{name}"))
        for email in LEAVERS:
            add_grant(
                s,
                app.clock,
                actor,
                person_email=email,
                account_ref="suite",
                role="editor",
                via="suite-seat",
            )
            for name in LOGINS:
                add_grant(
                    s,
                    app.clock,
                    actor,
                    person_email=email,
                    account_ref=name,
                    role="login",
                    via="shared-login",
                )
    rebootstrap(app, openbao)
    admin = admin_vault(app, openbao)
    admin.kv.write(f"{admin.paths.prefix}/connectors/accounts/suite", {"token": scim.token}, cas=0)
    vault = open_vault(app)
    with app.begin() as s:
        for name in LOGINS:
            values = {"username": Secret(f"{name}-user"), "password": Secret(f"{name}-pw-0")}
            set_credential(
                s,
                app.clock,
                vault=vault,
                account=get_account_record(s, name),
                values=LoginValues(values),
                actor=actor,
            )
    return {email: add_user(scim, email) for email in LEAVERS}


def _offboard(app: App, email: str, hooks: RunHooks | None = None) -> RunReport:
    with app.begin() as s:
        plan = build_plan(s, parse_playbook(PLAYBOOK), email)
    return run_plan(app, plan, concurrency=4, hooks=hooks)


def _versions(app: App, openbao: OpenBao) -> Counter[int]:
    """How many logins are at each KV version in Vault (root token)."""
    admin = admin_vault(app, openbao)
    found: Counter[int] = Counter()
    for name in LOGINS:
        meta = admin.kv.metadata(admin.paths.secret(name))
        found[meta.current_version if meta else 0] += 1
    return found


def _items(app: App, run_id: str) -> list[Any]:
    with app.begin() as s:
        return state.run_items(s, run_id, STEP)


def _details(item: Any) -> dict[str, Any]:
    return dict((item.result or {}).get("details") or {})


def _run_status(app: App, run_id: str) -> str:
    with app.begin() as s:
        return str(state.get_run(s, run_id, plan=False).status)


def _finished(app: App, openbao: OpenBao, scim: ScimServer, seats: dict[str, str]) -> None:
    """Every login rotated exactly once and active; both seats gone; both leavers departed."""
    assert _versions(app, openbao) == Counter({2: len(LOGINS)})
    with app.begin() as s:
        states = Counter(s.scalars(select(tables.credentials.c.state)))
        rotations = len(find_events(s, action="credential.rotate"))
        people = dict(s.execute(select(tables.people.c.email, tables.people.c.status)).all())
    assert states == Counter({"active": len(LOGINS)})
    assert rotations == len(LOGINS)
    assert {people[e] for e in LEAVERS} == {"departed"}
    assert not any((server_user(scim, uid) or {}).get("active") for uid in seats.values())


def test_second_leaver_joins_the_pending_rotations(
    app: App, openbao: OpenBao, scim: ScimServer, shared: dict[str, str]
) -> None:
    first = _offboard(app, LEAVERS[0])
    assert (first.status, first.counts.get("waiting")) == ("waiting", len(LOGINS))
    second = _offboard(app, LEAVERS[1])
    # The second run neither fails nor rotates again: it waits for the first's rotations.
    assert second.status == "waiting", second
    assert _versions(app, openbao) == Counter({2: len(LOGINS)})
    joined = _items(app, second.run_id)
    assert {i.status for i in joined} == {"waiting"}
    assert {_details(i)["covered_by_run"] for i in joined} == {first.run_id}
    assert all(f"run {first.run_id}" in i.result["message"] for i in joined)
    assert all(f"runs confirm {first.run_id} {STEP}" in i.instructions for i in joined)

    # Finishing the first run's rotations, then resuming the second: both complete.
    done = invoke(
        app, "runs", "confirm", first.run_id, STEP, "--all", "--yes", "--evidence", "changed on x"
    )
    assert done.exit_code == 0, done.output
    resumed = invoke(app, "runs", "resume", second.run_id)
    assert resumed.exit_code == 0, resumed.output
    assert {i.status for i in _items(app, second.run_id)} == {"unchanged"}
    assert (_run_status(app, first.run_id), _run_status(app, second.run_id)) == (
        "completed",
        "completed",
    )
    _finished(app, openbao, scim, shared)


def test_confirming_the_joined_item_first_completes_both(
    app: App, openbao: OpenBao, scim: ScimServer, shared: dict[str, str]
) -> None:
    first = _offboard(app, LEAVERS[0])
    second = _offboard(app, LEAVERS[1])
    done = invoke(
        app, "runs", "confirm", second.run_id, STEP, "--all", "--yes", "--evidence", "changed on x"
    )
    assert done.exit_code == 0, done.output
    with app.begin() as s:
        confirms = len(find_events(s, action="credential.confirm"))
    assert confirms == len(LOGINS)
    resumed = invoke(app, "runs", "resume", first.run_id)  # its own rotations: confirmed
    assert resumed.exit_code == 0, resumed.output
    with app.begin() as s:
        assert len(find_events(s, action="credential.confirm")) == len(LOGINS)  # not twice
    assert _run_status(app, first.run_id) == "completed"
    _finished(app, openbao, scim, shared)


def test_two_leavers_offboarded_together_share_each_rotation(
    app: App, openbao: OpenBao, scim: ScimServer, shared: dict[str, str]
) -> None:
    reports: dict[str, RunReport] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(len(LEAVERS))
    rotate = threading.Barrier(len(LEAVERS))

    def both_rotate_at_once(step_id: str, item_id: str, phase: Phase) -> None:
        # Both runs read their targets before either writes: every login is raced for.
        if step_id == STEP and phase is Phase.START:
            rotate.wait(timeout=120)

    def offboard(email: str) -> None:
        try:
            start.wait()
            reports[email] = _offboard(app, email, RunHooks(on_phase=both_rotate_at_once))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=offboard, args=(e,)) for e in LEAVERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    assert {r.status for r in reports.values()} == {"waiting"}, reports
    assert _versions(app, openbao) == Counter({2: len(LOGINS)})
    items = [i for r in reports.values() for i in _items(app, r.run_id)]
    assert {i.status for i in items} == {"waiting"}
    # Per login, one item owns the rotation and the other is covered by it.
    owners = Counter(_details(i)["account"] for i in items if "covered_version" not in _details(i))
    assert owners == Counter(dict.fromkeys(LOGINS, 1))

    for report in reports.values():
        done = invoke(
            app,
            "runs",
            "confirm",
            report.run_id,
            STEP,
            "--all",
            "--yes",
            "--evidence",
            "changed on x",
        )
        assert done.exit_code == 0, done.output
    assert {_run_status(app, r.run_id) for r in reports.values()} == {"completed"}
    _finished(app, openbao, scim, shared)


def test_offboarding_after_an_out_of_band_write_rotates_once_adopted(
    app: App, openbao: OpenBao, scim: ScimServer, shared: dict[str, str]
) -> None:
    admin = admin_vault(app, openbao)
    path = admin.paths.secret(LOGINS[0])
    admin.kv.write(path, {"username": "u", "password": "typed-in-by-hand-1"}, cas=1)

    report = _offboard(app, LEAVERS[0])
    assert report.status == "partial"
    failed = [i for i in _items(app, report.run_id) if i.status == "failed"]
    assert [_details(i)["code"] for i in failed] == ["out-of-band-write"]
    assert f"creds adopt {LOGINS[0]}" in failed[0].result["message"]

    adopted = invoke(app, "creds", "adopt", LOGINS[0], "--yes")
    assert adopted.exit_code == 0, adopted.output
    resumed = invoke(app, "runs", "resume", report.run_id)
    assert resumed.exit_code == 5, resumed.output  # waiting: every rotation to set on x
    assert {i.status for i in _items(app, report.run_id)} == {"waiting"}
    meta = admin.kv.metadata(path)
    assert meta is not None and meta.current_version == 3


def test_a_leaver_who_saw_the_pending_password_is_not_covered_by_it(
    app: App, openbao: OpenBao, scim: ScimServer, shared: dict[str, str]
) -> None:
    first = _offboard(app, LEAVERS[0])
    with app.begin() as s:
        reveal(
            s,
            app.clock,
            vault=open_vault(app),
            account=get_account_record(s, LOGINS[0]),
            person=get_person_record(s, LEAVERS[1]),
            reason="helping out",
            actor=LEAVERS[1],
            pending=True,
        )
    second = _offboard(app, LEAVERS[1])
    assert second.status == "partial"
    failed = [i for i in _items(app, second.run_id) if i.status == "failed"]
    assert [(_details(i)["account"], _details(i)["code"]) for i in failed] == [
        (LOGINS[0], "pending-version-seen")
    ]
    assert f"runs resume {second.run_id}" in failed[0].result["message"]

    done = invoke(
        app, "runs", "confirm", first.run_id, STEP, "--all", "--yes", "--evidence", "changed on x"
    )
    assert done.exit_code == 0, done.output
    resumed = invoke(app, "runs", "resume", second.run_id)
    assert resumed.exit_code == 5, resumed.output
    done = invoke(
        app, "runs", "confirm", second.run_id, STEP, "--all", "--yes", "--evidence", "changed on x"
    )
    assert done.exit_code == 0, done.output
    assert _run_status(app, second.run_id) == "completed"
    assert _versions(app, openbao) == Counter({2: len(LOGINS) - 1, 3: 1})


def test_adopt_asks_for_step_up_like_every_secret_writing_run(
    world: World, openbao: OpenBao, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = world.app
    admin = admin_vault(app, openbao)
    admin.kv.write(admin.paths.secret("brand-yt"), {"username": "u", "password": "typed"}, cas=1)
    step_up_config(on=True)
    monkeypatch.delenv("ACCESSGUARD_STEP_UP_CODE", raising=False)
    _, key, _ = enrolled(world, monkeypatch)
    runs = run_count(app)

    refused = invoke(app, "creds", "adopt", "brand-yt", "--yes")
    assert refused.exit_code == 2 and "--step-up-code" in refused.stderr, refused.output
    assert run_count(app) == runs
    with app.begin() as s:
        assert not find_events(s, action="credential.adopt")

    code = current_code(world, key)
    adopted = invoke(app, "creds", "adopt", "brand-yt", "--yes", "--step-up-code", code)
    assert adopted.exit_code == 0, adopted.output
    with app.begin() as s:
        assert len(find_events(s, action="credential.adopt")) == 1
