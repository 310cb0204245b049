"""Two-phase rotation against a real OpenBao: versions, metadata, confirm, rollback, races."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from accessguard.app import App
from accessguard.credentials.records import CredentialRecord, get_credential
from accessguard.credentials.rotation import rotate
from accessguard.credentials.rotation_outcome import confirm, rollback
from accessguard.db import tables
from accessguard.errors import ConflictError
from accessguard.inventory.records import get_account_record
from accessguard.results import ActionResult, Outcome
from accessguard.vault.facade import Vault, open_vault
from support.vault import seed_inventory, sqlite_vault_app, store_login

OLD = "Old-Passw0rd-canary-1"
KEY = "run-9:rotate:brand-x"


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    """An SQLite App wired to OpenBao with a fresh prefix and a tool-policy token."""
    yield from sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch)


def _store(app: App) -> None:
    login = {"username": "brandx", "password": OLD, "backup_codes": ["111", "222"]}
    store_login(app, open_vault(app), "brand-x", login)


def _credential(app: App) -> CredentialRecord:
    with app.begin() as conn:
        return get_credential(conn, get_account_record(conn, "brand-x"))


def _on_brand_x(app: App, vault: Vault, step: Callable[..., ActionResult], **kwargs: Any) -> Any:
    """Run one rotation step (rotate, confirm, rollback) on brand-x in its own transaction."""
    with app.begin() as conn:
        account = get_account_record(conn, "brand-x")
        return step(conn, app.clock, vault=vault, account=account, **kwargs)


def test_rotate_confirm_rollback(vapp: App, openbao) -> None:
    seed_inventory(vapp, openbao)
    _store(vapp)
    vault = open_vault(vapp)
    path = vault.paths.secret("brand-x")
    assert vault.kv.read(path).values["password"].reveal() == OLD

    result = _on_brand_x(
        vapp, vault, rotate, actor="tester@example.com", reason="leaver", run_id="run-1"
    )
    assert result.outcome is Outcome.CHANGED and result.details["version"] == 2
    new = vault.kv.read(path)
    assert new.version == 2
    new_password = new.values["password"].reveal()
    assert new_password != OLD and len(new_password) == 24
    assert new.values["username"].reveal() == "brandx"
    assert new.values["backup_codes"].reveal() == "111\n222"
    meta = vault.kv.metadata(path)
    assert meta is not None
    assert meta.custom_metadata["state"] == "pending"
    assert meta.custom_metadata["rotated_by"] == "tester@example.com"
    assert meta.custom_metadata["reason"] == "leaver"
    assert meta.custom_metadata["run_id"] == "run-1"
    assert meta.custom_metadata["rotated_at"].startswith("2026-11-02T09:00")
    assert vault.kv.read(path, 1).values["password"].reveal() == OLD  # previous kept
    cred = _credential(vapp)
    assert (cred.state, cred.current_version, cred.previous_version) == ("rotation-pending", 2, 1)

    assert _on_brand_x(vapp, vault, confirm, actor="tester@example.com").outcome is Outcome.CHANGED
    assert _credential(vapp).state == "active"
    assert vault.kv.metadata(path).custom_metadata["state"] == "active"
    again = _on_brand_x(vapp, vault, confirm, actor="t")
    assert again.outcome is Outcome.UNCHANGED

    # A second rotation, rolled back: the old value returns as a NEWER version.
    _on_brand_x(vapp, vault, rotate, actor="t", reason="r")
    result = _on_brand_x(vapp, vault, rollback, actor="t")
    assert result.details == {"account": "brand-x", "version": 4, "restored_from": 2}
    assert vault.kv.read(path).version == 4
    assert vault.kv.read(path).values["password"].reveal() == new_password
    cred = _credential(vapp)
    assert (cred.state, cred.current_version, cred.previous_version) == ("active", 4, None)
    versions = tables.credential_versions.c
    with vapp.begin() as conn:
        states = {v: state for v, state in conn.execute(select(versions.version, versions.state))}
    assert states == {1: "superseded", 2: "superseded", 3: "rolled-back", 4: "active"}
    with pytest.raises(ConflictError):
        _on_brand_x(vapp, vault, rollback, actor="t")


def test_rotate_is_idempotent_across_a_crash(vapp: App, openbao) -> None:
    seed_inventory(vapp, openbao)
    _store(vapp)
    vault = open_vault(vapp)

    class Crash(Exception):
        pass

    # Killed after the Vault write, before the database commit.
    with pytest.raises(Crash), vapp.begin() as conn:
        rotate(
            conn,
            vapp.clock,
            vault=vault,
            account=get_account_record(conn, "brand-x"),
            actor="t",
            reason="r",
            idempotency_key=KEY,
        )
        raise Crash
    assert vault.kv.metadata(vault.paths.secret("brand-x")).current_version == 2
    assert _credential(vapp).current_version == 1

    result = _on_brand_x(vapp, vault, rotate, actor="t", reason="r", idempotency_key=KEY)
    assert result.outcome is Outcome.CHANGED and result.details["new_version"] is False
    assert vault.kv.metadata(vault.paths.secret("brand-x")).current_version == 2
    cred = _credential(vapp)
    assert (cred.current_version, cred.state) == (2, "rotation-pending")
    result = _on_brand_x(vapp, vault, rotate, actor="t", reason="r", idempotency_key=KEY)
    assert result.outcome is Outcome.UNCHANGED
    assert vault.kv.metadata(vault.paths.secret("brand-x")).current_version == 2


@pytest.mark.parametrize("rounds", [3])
def test_racing_rotations_one_wins(app: App, openbao, monkeypatch, rounds: int) -> None:
    from support.vault import vault_app

    app = vault_app(app, openbao, monkeypatch)
    seed_inventory(app, openbao)
    _store(app)
    vault = open_vault(app)
    for _ in range(rounds):
        outcomes: list[str] = []
        barrier = threading.Barrier(2)

        def worker() -> None:
            barrier.wait()
            try:
                _on_brand_x(app, vault, rotate, actor="t", reason="race")
                outcomes.append("ok")
            except ConflictError as exc:
                outcomes.append(exc.code)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert outcomes.count("ok") == 1 and len(outcomes) == 2, outcomes
        assert set(outcomes) - {"ok"} <= {"cas-conflict", "rotation-pending"}
        cred = _credential(app)
        meta = vault.kv.metadata(vault.paths.secret("brand-x"))
        assert meta.current_version == cred.current_version  # no lost or orphaned version
        _on_brand_x(app, vault, confirm, actor="t")
