"""People's own Vault access: grants -> groups -> their own token works; revoke kills it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import select

from accessguard.app import App
from accessguard.credentials.exposure import exposed_credentials
from accessguard.credentials.identity import set_user_password, sync
from accessguard.credentials.models import VaultIdentity, VaultMembership
from accessguard.credentials.rotation import rotate
from accessguard.credentials.settle import confirm
from accessguard.credentials.store import parse_login, set_credential
from accessguard.credentials.vault_access import revoke_person_access
from accessguard.inventory.grants import revoke_grants
from accessguard.inventory.lookup import get_account, get_person
from accessguard.results import Outcome
from accessguard.secret import Secret
from accessguard.vault.facade import open_vault
from support.vault import admin_vault, seed_inventory, sqlite_vault_app

ANN = "ann@example.com"
PASSWORD = "ann-vault-login-pw-42"


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    """An SQLite App wired to OpenBao with a fresh prefix and a tool-policy token."""
    yield from sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch)


def _login(addr: str, username: str) -> str:
    r = requests.post(
        f"{addr}/v1/auth/userpass/login/{username}", json={"password": PASSWORD}, timeout=5
    )
    r.raise_for_status()
    return r.json()["auth"]["client_token"]


def _read(addr: str, token: str, api_path: str) -> requests.Response:
    return requests.get(f"{addr}/v1/{api_path}", headers={"X-Vault-Token": token}, timeout=5)


def test_grant_gives_own_token_access_and_revoke_kills_it(vapp: App, openbao) -> None:
    seed_inventory(
        vapp,
        openbao,
        people=("tester@example.com", ANN),
        accounts=(("brand-x", "x"), ("brand-yt", "youtube")),
        shared=((ANN, "brand-x"),),
    )
    vault = open_vault(vapp)
    with vapp.transaction() as session:
        set_credential(
            session,
            vapp.clock,
            vault,
            get_account(session, "brand-x"),
            parse_login("brandx\nSecretPw-for-ann-1"),
            actor="t",
        )
        set_credential(
            session,
            vapp.clock,
            vault,
            get_account(session, "brand-yt"),
            parse_login("brandyt\nSecretPw-yt-2"),
            actor="t",
        )
    with vapp.transaction() as session:
        plan = sync(session, vapp.clock, vault, actor="t", dry_run=True)
    assert plan.to_dict()["add"] == [{"person": ANN, "account": "brand-x"}]
    with vapp.transaction() as session:
        sync(session, vapp.clock, vault, actor="t")
        set_user_password(
            session, vapp.clock, vault, get_person(session, ANN), Secret(PASSWORD), actor="t"
        )
    with vapp.transaction() as session:
        assert not sync(session, vapp.clock, vault, actor="t", dry_run=True).drift
        identity = session.execute(select(VaultIdentity)).scalar_one()
        assert session.execute(select(VaultMembership)).scalar_one().removed_at is None

    token = _login(openbao.addr, identity.username)
    own = _read(openbao.addr, token, vault.paths.secret_api_path("brand-x"))
    assert own.status_code == 200
    assert own.json()["data"]["data"]["password"] == "SecretPw-for-ann-1"
    assert _read(openbao.addr, token, vault.paths.secret_api_path("brand-yt")).status_code == 403

    with vapp.transaction() as session:
        exposed = exposed_credentials(session, get_person(session, ANN).id)
    assert [(e.account_name, e.observed) for e in exposed] == [("brand-x", False)]

    with vapp.transaction() as session:
        result = revoke_person_access(
            session, vapp.clock, vault, get_person(session, ANN), actor="t", run_id="run-1"
        )
    assert result.outcome is Outcome.CHANGED
    # The SAME token she already held is refused now.
    assert _read(openbao.addr, token, vault.paths.secret_api_path("brand-x")).status_code == 403
    assert _read(openbao.addr, token, "auth/token/lookup-self").status_code == 403
    admin = admin_vault(vapp, openbao)
    entity = admin.identity.read_entity(ANN)
    assert entity is not None and entity.disabled
    assert not admin.identity.userpass_user_exists(identity.username)
    assert (
        entity.id
        not in admin.identity.read_group(vault.paths.account_group("brand-x")).member_entity_ids
    )
    with vapp.transaction() as session:
        again = revoke_person_access(
            session, vapp.clock, vault, get_person(session, ANN), actor="t"
        )
        assert session.execute(select(VaultMembership)).scalar_one().removed_at is not None
    assert again.outcome is Outcome.UNCHANGED


def test_possible_exposure_ends_with_a_rotation_after_removal(vapp: App, openbao) -> None:
    seed_inventory(vapp, openbao, people=("tester@example.com", ANN), shared=((ANN, "brand-x"),))
    vault = open_vault(vapp)
    with vapp.transaction() as session:
        set_credential(
            session,
            vapp.clock,
            vault,
            get_account(session, "brand-x"),
            parse_login("brandx\nPw-one-111111"),
            actor="t",
        )
        sync(session, vapp.clock, vault, actor="t")
    vapp.clock.advance(__import__("datetime").timedelta(minutes=5))
    with vapp.transaction() as session:
        revoke_grants(
            session, vapp.clock, "t", person_email=ANN, account_ref="brand-x", reason="leaving"
        )
        sync(session, vapp.clock, vault, actor="t")
        assert [
            e.account_name for e in exposed_credentials(session, get_person(session, ANN).id)
        ] == ["brand-x"]
    vapp.clock.advance(__import__("datetime").timedelta(minutes=5))
    with vapp.transaction() as session:
        rotate(session, vapp.clock, vault, get_account(session, "brand-x"), actor="t", reason="r")
        confirm(session, vapp.clock, vault, get_account(session, "brand-x"), actor="t")
    with vapp.transaction() as session:
        assert exposed_credentials(session, get_person(session, ANN).id) == []
