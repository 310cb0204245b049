"""A reveal or a TOTP code through the tool is use: it stamps the grant and clears stale-grant.

Against a real OpenBao: the shared login is stored, time passes with nobody using it
(stale), then the holder reveals it or takes a code (not stale any more).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from accessguard.app import App
from accessguard.clock import FixedClock
from accessguard.credentials.store import reveal
from accessguard.credentials.totp import code, enroll, parse_seed
from accessguard.db import tables
from accessguard.inventory.records import get_account_record, get_person_record
from accessguard.reports.findings import FindingContext
from accessguard.reports.findings.grants import stale_grants
from accessguard.vault.facade import open_vault
from support.vault import seed_inventory, sqlite_vault_app, store_login

HOLDER = "tester@example.com"


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    """An SQLite App on OpenBao; HOLDER has the shared login of brand-x."""
    for app in sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch):
        seed_inventory(app, openbao, shared=((HOLDER, "brand-x"),))
        yield app


def _last_used(app: App) -> datetime | None:
    with app.begin() as conn:
        value: datetime | None = conn.execute(
            select(tables.grants.c.last_used_at).where(tables.grants.c.via == "shared-login")
        ).scalar_one()
    return value


def _stale(app: App) -> list[str]:
    with app.begin() as conn:
        ctx = FindingContext(conn, app.settings, app.clock.now())
        return [f.kind for f in stale_grants(ctx)]


def _reveal(app: App) -> None:
    vault = open_vault(app)
    with app.begin() as conn:
        reveal(
            conn,
            app.clock,
            vault=vault,
            account=get_account_record(conn, "brand-x"),
            person=get_person_record(conn, HOLDER),
            reason="post",
            actor=HOLDER,
        )


def test_a_reveal_stamps_the_grant_and_clears_stale(vapp: App, clock: FixedClock) -> None:
    store_login(vapp, open_vault(vapp), "brand-x", {"username": "bx", "password": "pw-1"})
    clock.advance(timedelta(days=120))
    assert _stale(vapp) == ["stale-grant"]
    _reveal(vapp)
    assert _last_used(vapp) == clock.now()
    assert _stale(vapp) == []


def test_a_totp_code_stamps_the_grant(vapp: App, clock: FixedClock) -> None:
    vault = open_vault(vapp)
    seed, url = parse_seed(pyotp.random_base32())
    with vapp.begin() as conn:
        enroll(
            conn,
            clock,
            vault=vault,
            account=get_account_record(conn, "brand-x"),
            actor=HOLDER,
            seed=seed,
            url=url,
        )
    clock.advance(timedelta(days=3))
    with vapp.begin() as conn:
        code(
            conn,
            clock,
            vault=vault,
            account=get_account_record(conn, "brand-x"),
            person=get_person_record(conn, HOLDER),
            reason="post",
            actor=HOLDER,
        )
    assert _last_used(vapp) == clock.now()
