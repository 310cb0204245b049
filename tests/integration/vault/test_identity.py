"""People's own Vault access: grants -> groups -> their own token works; revoke kills it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import select

from accessguard.app import App
from accessguard.credentials.exposure import exposed_credentials
from accessguard.credentials.identity import set_user_password, sync
from accessguard.credentials.records import all_identities
from accessguard.credentials.rotation import rotate
from accessguard.credentials.rotation_outcome import confirm
from accessguard.credentials.store import parse_login, set_credential
from accessguard.credentials.vault_access import revoke_person_access
from accessguard.db import tables
from accessguard.inventory.grants import revoke_grants
from accessguard.inventory.records import get_account_record, get_person_record
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
    with vapp.begin() as conn:
        set_credential(
            conn,
            vapp.clock,
            vault=vault,
            account=get_account_record(conn, "brand-x"),
            values=parse_login("brandx\nSecretPw-for-ann-1"),
            actor="t",
        )
        set_credential(
            conn,
            vapp.clock,
            vault=vault,
            account=get_account_record(conn, "brand-yt"),
            values=parse_login("brandyt\nSecretPw-yt-2"),
            actor="t",
        )
    with vapp.begin() as conn:
        plan = sync(conn, vapp.clock, vault=vault, actor="t", dry_run=True)
    assert plan.to_dict()["add"] == [{"person": ANN, "account": "brand-x"}]
    with vapp.begin() as conn:
        sync(conn, vapp.clock, vault=vault, actor="t")
        set_user_password(
            conn,
            vapp.clock,
            vault=vault,
            person=get_person_record(conn, ANN),
            password=Secret(PASSWORD),
            actor="t",
        )
    with vapp.begin() as conn:
        assert not sync(conn, vapp.clock, vault=vault, actor="t", dry_run=True).drift
        (identity,) = all_identities(conn)
        (removed_at,) = conn.execute(select(tables.vault_memberships.c.removed_at)).scalars()
    assert removed_at is None

    token = _login(openbao.addr, identity.username)
    own = _read(openbao.addr, token, vault.paths.secret_api_path("brand-x"))
    assert own.status_code == 200
    assert own.json()["data"]["data"]["password"] == "SecretPw-for-ann-1"
    assert _read(openbao.addr, token, vault.paths.secret_api_path("brand-yt")).status_code == 403

    with vapp.begin() as conn:
        exposed = exposed_credentials(conn, get_person_record(conn, ANN).id)
    assert [(e.account_name, e.observed) for e in exposed] == [("brand-x", False)]

    with vapp.begin() as conn:
        result = revoke_person_access(
            conn,
            vapp.clock,
            vault=vault,
            person=get_person_record(conn, ANN),
            actor="t",
            run_id="run-1",
        )
    assert result.outcome is Outcome.CHANGED
    # The SAME token she already held is refused now.
    assert _read(openbao.addr, token, vault.paths.secret_api_path("brand-x")).status_code == 403
    assert _read(openbao.addr, token, "auth/token/lookup-self").status_code == 403
    admin = admin_vault(vapp, openbao)
    entity = admin.identity.read_entity(vault.paths.person_login(ANN))
    assert entity is not None and entity.disabled
    assert not admin.identity.userpass_user_exists(identity.username)
    assert (
        entity.id
        not in admin.identity.read_group(vault.paths.account_group("brand-x")).member_entity_ids
    )
    with vapp.begin() as conn:
        again = revoke_person_access(
            conn, vapp.clock, vault=vault, person=get_person_record(conn, ANN), actor="t"
        )
        (removed_at,) = conn.execute(select(tables.vault_memberships.c.removed_at)).scalars()
    assert removed_at is not None
    assert again.outcome is Outcome.UNCHANGED


def test_possible_exposure_ends_with_a_rotation_after_removal(vapp: App, openbao) -> None:
    seed_inventory(vapp, openbao, people=("tester@example.com", ANN), shared=((ANN, "brand-x"),))
    vault = open_vault(vapp)
    with vapp.begin() as conn:
        set_credential(
            conn,
            vapp.clock,
            vault=vault,
            account=get_account_record(conn, "brand-x"),
            values=parse_login("brandx\nPw-one-111111"),
            actor="t",
        )
        sync(conn, vapp.clock, vault=vault, actor="t")
    vapp.clock.advance(__import__("datetime").timedelta(minutes=5))
    with vapp.begin() as session:
        revoke_grants(
            session, vapp.clock, "t", person_email=ANN, account_ref="brand-x", reason="leaving"
        )
    with vapp.begin() as conn:
        sync(conn, vapp.clock, vault=vault, actor="t")
        assert [
            e.account_name for e in exposed_credentials(conn, get_person_record(conn, ANN).id)
        ] == ["brand-x"]
    vapp.clock.advance(__import__("datetime").timedelta(minutes=5))
    with vapp.begin() as conn:
        rotate(
            conn,
            vapp.clock,
            vault=vault,
            account=get_account_record(conn, "brand-x"),
            actor="t",
            reason="r",
        )
        confirm(
            conn, vapp.clock, vault=vault, account=get_account_record(conn, "brand-x"), actor="t"
        )
    with vapp.begin() as conn:
        assert exposed_credentials(conn, get_person_record(conn, ANN).id) == []
