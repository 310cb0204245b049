"""A shared Bluesky login rotated through the CLI ends with no app password left.

Real OpenBao holds the login; a loopback PDS (``support.fake_bluesky``) stands for
Bluesky. The person's step of a rotation (changing the password on Bluesky with the
emailed code) is ``pds.change_password`` with the pending value read from Vault. The
leaver's phone keeps a session made with the old password, as a real device would: its
access token outlives the password change, so it can still make app passwords until the
tool revokes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from accessguard.app import App
from accessguard.audit.chain import find_events
from accessguard.credentials.identity import sync
from accessguard.credentials.records import get_credential
from accessguard.inventory.accounts import AccountInput, add_account
from accessguard.inventory.grants import add_grant
from accessguard.inventory.people import PersonInput, add_person
from accessguard.inventory.records import get_account_record
from accessguard.vault.facade import open_vault
from support.fake_bluesky import BlueskyFake
from support.offboarding import invoke, invoke_json
from support.servers import OpenBao
from support.stepup import audit_actions, current_code, enrolled, next_code, step_up_config
from support.vault import admin_vault, rebootstrap, sqlite_vault_app, store_login

LEAVER = "ann@example.com"
ACCOUNT = "brand-bsky"


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    yield from sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch)


@pytest.fixture
def pds() -> Iterator[BlueskyFake]:
    with BlueskyFake() as server:
        yield server


def _company(app: App, openbao: OpenBao, pds: BlueskyFake, *, settings: Any = None) -> None:
    """Ann and Bob; Ann knows the shared Bluesky login, held in Vault."""
    clock = app.clock
    with app.begin() as s:
        add_person(s, clock, "setup", PersonInput(LEAVER, "Ann Leaver", department="Brand"))
        add_person(s, clock, "setup", PersonInput("bob@example.com", "Bob Admin"))
        account = AccountInput(
            ACCOUNT,
            "bluesky",
            "@northwind",
            settings=pds.settings() if settings is None else settings,
        )
        add_account(s, clock, "setup", account)
        add_grant(
            s,
            clock,
            "setup",
            person_email=LEAVER,
            account_ref=ACCOUNT,
            role="login",
            via="shared-login",
        )
    rebootstrap(app, openbao)
    vault = open_vault(app)
    store_login(app, vault, ACCOUNT, {"username": pds.handle, "password": pds.password})
    with app.begin() as s:
        sync(s, clock, vault=vault, actor="setup")


def _pending_password(app: App, openbao: OpenBao) -> str:
    """The new password of the pending rotation (what the person types on Bluesky)."""
    with app.begin() as s:
        credential = get_credential(s, get_account_record(s, ACCOUNT))
    stored = admin_vault(app, openbao).kv.read(credential.vault_path, credential.current_version)
    return stored.values["password"].reveal()


def _item(app: App, run_id: str, step: str) -> dict[str, Any]:
    code, shown = invoke_json(app, "runs", "show", run_id)
    assert code in (0, 4, 5), shown
    items = [i for s in shown["steps"] if s["id"] == step for i in s["items"]]
    assert len(items) == 1, shown
    return dict(items[0])


def test_creds_confirm_revokes_every_app_password_with_the_new_password(
    vapp: App, openbao: OpenBao, pds: BlueskyFake
) -> None:
    _company(vapp, openbao, pds)
    phone = pds.sign_in(pds.password)  # Ann's phone, signed in before she leaves
    pds.create_app_password(phone, "ann-phone")
    old = pds.password
    rotated = invoke(vapp, "creds", "rotate", ACCOUNT)
    assert rotated.exit_code == 0, rotated.stderr
    # Attack: after phase 1, before the confirm, her phone's session makes another one.
    pds.create_app_password(phone, "ann-after-rotate")
    new = _pending_password(vapp, openbao)
    pds.change_password(new)  # the person's step on Bluesky

    result = invoke(vapp, "creds", "confirm", ACCOUNT, "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["outcome"] == "changed"
    assert out["app_passwords"]["outcome"] == "changed"
    assert out["app_passwords"]["details"]["revoked"] == ["ann-after-rotate", "ann-phone"]
    assert pds.names() == set()
    assert not pds.accepts(old)
    assert pds.accepts(new)
    assert new not in result.stdout + result.stderr
    assert _item(vapp, out["app_passwords"]["run"], "revoke-app-passwords")["status"] == "changed"
    with vapp.begin() as s:
        events = find_events(s, action="platform.revoke-app-passwords")
    assert [e.target for e in events] == [ACCOUNT]


def test_confirm_without_the_change_on_bluesky_fails_visibly_then_resumes(
    vapp: App, openbao: OpenBao, pds: BlueskyFake
) -> None:
    _company(vapp, openbao, pds)
    pds.create_app_password(pds.sign_in(pds.password), "ann-phone")
    assert invoke(vapp, "creds", "rotate", ACCOUNT).exit_code == 0

    lied = invoke(vapp, "creds", "confirm", ACCOUNT)  # nobody changed it on Bluesky
    assert lied.exit_code == 1
    assert "error:" in lied.stderr
    assert "really changed on Bluesky" in lied.stderr
    assert pds.names() == {"ann-phone"}
    code, runs = invoke_json(vapp, "runs", "list")
    assert code == 0, runs
    run_id = next(r["id"] for r in runs if r["playbook"] == "creds-confirm")
    assert _item(vapp, run_id, "revoke-app-passwords")["status"] == "failed"

    pds.change_password(_pending_password(vapp, openbao))
    resumed = invoke(vapp, "runs", "resume", run_id)
    assert resumed.exit_code == 0, resumed.stderr
    assert pds.names() == set()
    assert _item(vapp, run_id, "revoke-app-passwords")["status"] == "changed"


def test_offboarding_holds_the_revocation_until_the_rotation_is_confirmed(
    vapp: App, openbao: OpenBao, pds: BlueskyFake
) -> None:
    _company(vapp, openbao, pds)
    phone = pds.sign_in(pds.password)
    pds.create_app_password(phone, "ann-phone")
    old = pds.password

    result = invoke(vapp, "offboard", LEAVER, "--yes", "--json")
    run = json.loads(result.stdout)["run"]
    assert result.exit_code == 5, result.stderr
    rotation = _item(vapp, run["id"], "rotate-shared-logins")
    assert rotation["status"] == "waiting"
    held = _item(vapp, run["id"], "revoke-app-passwords")
    assert held["status"] == "held"
    assert held["item"] == rotation["item"]  # credential-ID in both steps
    confirm = f"runs confirm {run['id']} rotate-shared-logins --item {rotation['item']}"
    assert confirm in json.dumps(held)  # it says which confirmation releases it
    # Attack: after phase 1, before the confirm, her phone's session makes another one.
    pds.create_app_password(phone, "ann-late")
    assert pds.names() == {"ann-phone", "ann-late"}  # nothing happens with the old password

    pds.change_password(_pending_password(vapp, openbao))
    confirmed = invoke(
        vapp,
        "runs",
        "confirm",
        run["id"],
        "rotate-shared-logins",
        "--item",
        rotation["item"],
        "--evidence",
        "changed on Bluesky with the emailed code",
    )
    assert confirmed.exit_code in (0, 5), confirmed.stderr
    assert pds.names() == set()
    assert not pds.accepts(old)
    done = _item(vapp, run["id"], "revoke-app-passwords")
    assert done["status"] == "changed"


def test_an_account_without_the_handle_setting_waits_with_the_checklist(
    vapp: App, openbao: OpenBao, pds: BlueskyFake
) -> None:
    _company(vapp, openbao, pds, settings={})
    pds.create_app_password(pds.sign_in(pds.password), "ann-phone")
    assert invoke(vapp, "creds", "rotate", ACCOUNT).exit_code == 0
    pds.change_password(_pending_password(vapp, openbao))
    result = invoke(vapp, "creds", "confirm", ACCOUNT)
    assert result.exit_code == 0, result.stderr
    assert "waiting:" in result.stderr
    assert "App passwords: delete every app password" in result.stderr
    assert pds.names() == {"ann-phone"}  # nothing claims it was done


def test_attack_a_rolled_back_rotation_keeps_the_revocation_held(
    vapp: App, openbao: OpenBao, pds: BlueskyFake
) -> None:
    """Rolled back, the password in force is the one Ann knew: revoking now would only
    let her make new app passwords afterwards, so the item stays held, naming her."""
    _company(vapp, openbao, pds)
    pds.create_app_password(pds.sign_in(pds.password), "ann-phone")
    result = invoke(vapp, "offboard", LEAVER, "--yes", "--json")
    run_id = json.loads(result.stdout)["run"]["id"]
    rolled = invoke(vapp, "creds", "rollback", ACCOUNT, "--yes")
    assert rolled.exit_code == 0, rolled.stderr

    invoke(vapp, "runs", "resume", run_id)
    held = _item(vapp, run_id, "revoke-app-passwords")
    assert held["status"] == "held"
    assert LEAVER in json.dumps(held)
    departed = _item(vapp, run_id, "mark-departed")
    assert departed["status"] == "held"  # access is not gone yet
    assert "revocation that waits" in json.dumps(departed)
    assert pds.names() == {"ann-phone"}


def test_email_2fa_on_the_account_waits_with_the_checklist(vapp: App, openbao: OpenBao) -> None:
    with BlueskyFake(email_2fa=True) as pds:
        _company(vapp, openbao, pds)
        pds.create_app_password(pds.sign_in(pds.password), "ann-phone")
        assert invoke(vapp, "creds", "rotate", ACCOUNT).exit_code == 0
        pds.change_password(_pending_password(vapp, openbao))
        result = invoke(vapp, "creds", "confirm", ACCOUNT)
        assert result.exit_code == 0, result.stderr
        assert "waiting:" in result.stderr
        assert "email 2FA is on" in result.stderr
        assert pds.names() == {"ann-phone"}


def test_step_up_is_asked_once_for_the_confirm_and_its_revocation(
    vapp: App, openbao: OpenBao, pds: BlueskyFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    _company(vapp, openbao, pds)
    pds.create_app_password(pds.sign_in(pds.password), "ann-phone")
    step_up_config(on=True)
    monkeypatch.delenv("ACCESSGUARD_STEP_UP_CODE", raising=False)
    _, key, uri = enrolled(SimpleNamespace(app=vapp, openbao=openbao), monkeypatch)
    code = current_code(SimpleNamespace(app=vapp, openbao=openbao), key)
    assert invoke(vapp, "creds", "rotate", ACCOUNT, "--step-up-code", code).exit_code == 0
    pds.change_password(_pending_password(vapp, openbao))

    refused = invoke(vapp, "creds", "confirm", ACCOUNT)
    assert refused.exit_code == 2
    assert pds.names() == {"ann-phone"}
    done = invoke(vapp, "creds", "confirm", ACCOUNT, "--step-up-code", next_code(uri))
    assert done.exit_code == 0, done.stderr
    assert pds.names() == set()
    assert audit_actions(vapp, "stepup.") == ["stepup.enroll", "stepup.passed", "stepup.passed"]
