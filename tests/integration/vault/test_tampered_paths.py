"""Vault names read back from the database are checked again before use: a row that a
database writer rewrote (``..`` in a credential's path, a foreign TOTP key name) is one
line of error, and nothing reaches Vault (issue 16 item 8)."""

from __future__ import annotations

from collections.abc import Iterator

import pyotp
import pytest
from sqlalchemy import update

from accessguard.app import App
from accessguard.credentials.store import reveal
from accessguard.credentials.totp import code, enroll, parse_seed
from accessguard.db import tables
from accessguard.errors import InputError
from accessguard.inventory.records import get_account_record, get_person_record
from accessguard.secret import Secret
from accessguard.vault.connection import Connection
from accessguard.vault.facade import Vault, open_vault
from support.redirects import Loopback, ok
from support.vault import seed_inventory, sqlite_vault_app, store_login

ACTOR = "tester@example.com"


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    yield from sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch)


def _recording_vault(vault: Vault, recorder: Loopback) -> Vault:
    """The same names, but every request goes to ``recorder``: it sees whatever is sent."""
    return Vault(Connection((recorder.url,), Secret("hvs.tamper-canary"), None, 2), vault.paths)


@pytest.mark.parametrize(
    "tampered",
    ["{prefix}/../sys/seal", "{prefix}/brand-x/../../other", "other/brand-x", "/{prefix}/x"],
)
def test_tampered_credential_path_is_refused_before_anything_is_sent(
    vapp: App, openbao, tampered: str
) -> None:
    seed_inventory(vapp, openbao)
    vault = open_vault(vapp)
    store_login(vapp, vault, "brand-x", {"username": "brandx", "password": "P4ss-tamper-1"})
    path = tampered.format(prefix=vault.paths.prefix)
    with vapp.begin() as conn:
        conn.execute(update(tables.credentials).values(vault_path=path))
    with Loopback(ok) as recorder, vapp.begin() as conn, pytest.raises(InputError) as caught:
        reveal(
            conn,
            vapp.clock,
            vault=_recording_vault(vault, recorder),
            account=get_account_record(conn, "brand-x"),
            person=get_person_record(conn, ACTOR),
            reason="tamper",
            actor=ACTOR,
        )
    assert recorder.received == []
    assert caught.value.code == "unsafe-path"
    assert "\n" not in caught.value.message


@pytest.mark.parametrize("tampered", ["../../sys/seal", "other_A_brand-x_G1", "{slug}_A_../x_G1"])
def test_tampered_totp_key_name_is_refused_before_anything_is_sent(
    vapp: App, openbao, tampered: str
) -> None:
    seed_inventory(vapp, openbao)
    vault = open_vault(vapp)
    seed, url = parse_seed(pyotp.random_base32())
    with vapp.begin() as conn:
        enroll(
            conn,
            vapp.clock,
            vault=vault,
            account=get_account_record(conn, "brand-x"),
            actor=ACTOR,
            seed=seed,
            url=url,
        )
        name = tampered.format(slug=vault.paths.slug)
        conn.execute(update(tables.totp_keys).values(key_name=name))
    with Loopback(ok) as recorder, vapp.begin() as conn, pytest.raises(InputError) as caught:
        code(
            conn,
            vapp.clock,
            vault=_recording_vault(vault, recorder),
            account=get_account_record(conn, "brand-x"),
            person=get_person_record(conn, ACTOR),
            reason="tamper",
            actor=ACTOR,
        )
    assert recorder.received == []
    assert caught.value.code == "unsafe-path"
