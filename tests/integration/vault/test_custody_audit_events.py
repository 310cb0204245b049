"""The audit events of credential custody, pinned against a real OpenBao.

Storing, rotating, confirming, rolling back a shared login and enrolling, regenerating,
confirming a 2FA seed each write one event: a login's name the ``credential`` target, a
seed's the ``totp`` target, both named by the account, with the run and the details an
auditor reads. Every step is checked by what the chain holds, never by what was called.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyotp
import pytest

from accessguard.app import App
from accessguard.audit.chain import find_events
from accessguard.credentials.rotation import rotate
from accessguard.credentials.rotation_outcome import confirm, rollback
from accessguard.credentials.totp import confirm as confirm_seed
from accessguard.credentials.totp import enroll, parse_seed, regenerate
from accessguard.inventory.records import get_account_record
from accessguard.vault.facade import open_vault
from support.vault import seed_inventory, sqlite_vault_app, store_login

ME = "tester@example.com"


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    for app in sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch):
        seed_inventory(app, openbao)
        yield app


def _on_brand_x(app: App, step: Any, **kwargs: Any) -> Any:
    with app.begin() as conn:
        account = get_account_record(conn, "brand-x")
        return step(conn, app.clock, vault=open_vault(app), account=account, **kwargs)


def _events(app: App, prefix: str) -> list[tuple[str, str, str, str | None, dict[str, Any]]]:
    with app.begin() as conn:
        return [
            (e.action, e.target_type, e.target, e.run_id, e.details)
            for e in find_events(conn)
            if e.action.startswith(prefix)
        ]


def test_a_login_s_events_name_the_credential_of_the_account(vapp: App) -> None:
    store_login(vapp, open_vault(vapp), "brand-x", {"username": "bx", "password": "Pw-1-canary"})
    _on_brand_x(vapp, rotate, actor=ME, reason="leaver", run_id="run-1")
    _on_brand_x(vapp, confirm, actor=ME, run_id="run-1")
    _on_brand_x(vapp, rotate, actor=ME, reason="again")
    _on_brand_x(vapp, rollback, actor=ME, reason="wrong one")
    events = _events(vapp, "credential.")
    assert [(a, t, n) for a, t, n, _, _ in events] == [
        ("credential.set", "credential", "brand-x"),
        ("credential.rotate", "credential", "brand-x"),
        ("credential.confirm", "credential", "brand-x"),
        ("credential.rotate", "credential", "brand-x"),
        ("credential.rollback", "credential", "brand-x"),
    ]
    assert events[0][4]["version"] == 1
    assert events[0][4]["fields"] == ["password", "username"]
    assert (events[2][3], events[2][4]) == ("run-1", {"version": 2})
    assert (events[4][3], events[4][4]) == (
        None,
        {"version": 4, "restored_from": 2, "rolled_back": 3},
    )
    assert "Pw-1-canary" not in repr(events)


def test_a_seed_s_events_name_the_totp_of_the_account(vapp: App) -> None:
    seed, url = parse_seed(pyotp.random_base32())
    _on_brand_x(vapp, enroll, actor=ME, seed=seed, url=url)
    _on_brand_x(vapp, regenerate, actor=ME, run_id="run-2")
    _on_brand_x(vapp, confirm_seed, actor=ME, run_id="run-2")
    events = _events(vapp, "totp.")
    assert [(a, t, n, r) for a, t, n, r, _ in events] == [
        ("totp.enroll", "totp", "brand-x", None),
        ("totp.regenerate", "totp", "brand-x", "run-2"),
        ("totp.confirm", "totp", "brand-x", "run-2"),
    ]
    assert events[0][4] == {
        "key_name": open_vault(vapp).paths.totp_key("brand-x", 1),
        "generated": False,
        "personal_device": False,
    }
    key_2 = open_vault(vapp).paths.totp_key("brand-x", 2)
    assert events[1][4] == {"key_name": key_2, "generation": 2}
    assert events[2][4] == {"key_name": key_2, "generation": 2}
