"""TOTP custody against OpenBao's TOTP engine: codes match pyotp, exports are recorded."""

from __future__ import annotations

from collections.abc import Iterator

import pyotp
import pytest
from sqlalchemy import select

from accessguard.app import App
from accessguard.credentials.exposure import exported_seed_accounts
from accessguard.credentials.records import get_totp_key
from accessguard.credentials.totp import (
    code,
    confirm,
    enroll,
    parse_seed,
    regenerate,
)
from accessguard.db import tables
from accessguard.errors import ConflictError, InputError
from accessguard.inventory.records import get_account_record, get_person_record
from accessguard.results import Outcome
from accessguard.vault.facade import open_vault
from support.vault import seed_inventory, sqlite_vault_app

ACTOR = "tester@example.com"


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    """An SQLite App wired to OpenBao with a fresh prefix and a tool-policy token."""
    yield from sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch)


def _code(app: App, account: str = "brand-x", **kwargs) -> str:
    vault = open_vault(app)
    with app.begin() as conn:
        return code(
            conn,
            app.clock,
            vault=vault,
            account=get_account_record(conn, account),
            person=get_person_record(conn, ACTOR),
            reason="post",
            actor=ACTOR,
            **kwargs,
        ).reveal()


@pytest.mark.parametrize("form", ["seed", "uri"])
def test_code_matches_the_enrolled_seed(vapp: App, openbao, form: str) -> None:
    seed_inventory(vapp, openbao)
    secret = pyotp.random_base32()
    text = (
        secret if form == "seed" else pyotp.TOTP(secret).provisioning_uri(name="x", issuer_name="X")
    )
    seed, url = parse_seed(text)
    vault = open_vault(vapp)
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
    expected = pyotp.TOTP(secret)
    got = _code(vapp)
    # Equal to pyotp's code now (or the neighbouring step if the clock ticked in between).
    assert got == expected.now() or expected.verify(got, valid_window=1)
    with vapp.begin() as conn:
        key = get_totp_key(conn, get_account_record(conn, "brand-x"))
        kinds = list(conn.execute(select(tables.exposures.c.kind)).scalars())
    # The operator who pasted the seed saw it; a code is not the seed (but is recorded).
    assert key.exported is False
    assert kinds == ["seed-pasted", "totp-code"]
    with vapp.begin() as conn, pytest.raises(ConflictError):
        enroll(
            conn,
            vapp.clock,
            vault=vault,
            account=get_account_record(conn, "brand-x"),
            actor=ACTOR,
            seed=seed,
        )


def test_bad_seed_input_is_refused() -> None:
    with pytest.raises(InputError):
        parse_seed("not a seed!")
    with pytest.raises(InputError):
        parse_seed("otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP")


def test_generate_and_regenerate_record_the_operators_exposure(vapp: App, openbao) -> None:
    seed_inventory(vapp, openbao, people=(ACTOR, "ann@example.com"))
    vault = open_vault(vapp)
    with vapp.begin() as conn:
        _, uri = enroll(
            conn,
            vapp.clock,
            vault=vault,
            account=get_account_record(conn, "brand-x"),
            actor=ACTOR,
            generate=True,
        )
    assert uri is not None and uri.reveal().startswith("otpauth://totp/")
    first = pyotp.parse_uri(uri.reveal())
    assert first.verify(_code(vapp), valid_window=1)
    with vapp.begin() as conn:
        accounts = exported_seed_accounts(conn, get_person_record(conn, ACTOR).id)
        assert [a.name for a in accounts] == ["brand-x"]
        assert exported_seed_accounts(conn, get_person_record(conn, "ann@example.com").id) == []

    with vapp.begin() as conn:
        result, new_uri = regenerate(
            conn,
            vapp.clock,
            vault=vault,
            account=get_account_record(conn, "brand-x"),
            actor=ACTOR,
            idempotency_key="k1",
        )
    assert result.outcome is Outcome.CHANGED and new_uri is not None
    with vapp.begin() as conn:
        again, none = regenerate(
            conn,
            vapp.clock,
            vault=vault,
            account=get_account_record(conn, "brand-x"),
            actor=ACTOR,
            idempotency_key="k1",
        )
    assert again.outcome is Outcome.UNCHANGED and none is None
    second = pyotp.parse_uri(new_uri.reveal())
    assert first.verify(_code(vapp), valid_window=1)  # old seed works until confirmed
    assert second.verify(_code(vapp, pending=True), valid_window=1)
    with vapp.begin() as conn:
        confirm(
            conn, vapp.clock, vault=vault, account=get_account_record(conn, "brand-x"), actor=ACTOR
        )
    assert second.verify(_code(vapp), valid_window=1)
    with vapp.begin() as conn:
        key = get_totp_key(conn, get_account_record(conn, "brand-x"))
        # Shown to a person of the inventory: their exposure of generation 2, not an export.
        assert (key.generation, key.pending_key_name, key.exported) == (2, None, False)
        seen = exported_seed_accounts(conn, get_person_record(conn, ACTOR).id)
        assert [a.name for a in seen] == ["brand-x"]
    assert not vault.totp.exists(vault.paths.totp_key("brand-x", 1))
