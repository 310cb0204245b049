"""Rotations that compose, out-of-band writes and `creds adopt`, reveal of a pending rotation.

Against a real OpenBao and the parametrized database (SQLite and PostgreSQL). The
out-of-band write is what an admin does with `bao kv put`: a KV write with the root
token that carries no rotation key.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from accessguard.app import App
from accessguard.audit.chain import find_events
from accessguard.credentials.compose import CoveredError
from accessguard.credentials.records import CredentialRecord, get_credential
from accessguard.credentials.rotation import write_new_version
from accessguard.credentials.rotation_outcome import confirm
from accessguard.credentials.targets import rotation_target
from accessguard.inventory.records import get_account_record
from accessguard.results import Outcome
from accessguard.vault.facade import open_vault
from support.offboarding import invoke
from support.servers import OpenBao
from support.vault import admin_vault, seed_inventory, store_login, vault_app

OLD = "Old-Passw0rd-canary-1"
OUT_OF_BAND = "Typed-In-Bao-Kv-Put-77"
BACKUP = "backup-code-canary-31"


@pytest.fixture
def vapp(app: App, openbao: OpenBao, monkeypatch: pytest.MonkeyPatch) -> App:
    """The parametrized App wired to OpenBao, with brand-x's login stored (version 1)."""
    vault_app(app, openbao, monkeypatch)
    seed_inventory(app, openbao)
    login = {"username": "brandx", "password": OLD, "backup_codes": ["111"]}
    store_login(app, open_vault(app), "brand-x", login)
    return app


def _credential(app: App) -> CredentialRecord:
    with app.begin() as conn:
        return get_credential(conn, get_account_record(conn, "brand-x"))


def _kv_versions(app: App, openbao: OpenBao) -> int:
    admin = admin_vault(app, openbao)
    meta = admin.kv.metadata(admin.paths.secret("brand-x"))
    return meta.current_version if meta else 0


def _bao_kv_put(app: App, openbao: OpenBao, values: dict[str, Any]) -> None:
    """An out-of-band write: root token, whole new version, no rotation key."""
    admin = admin_vault(app, openbao)
    path = admin.paths.secret("brand-x")
    meta = admin.kv.metadata(path)
    assert meta is not None
    admin.kv.write(path, values, cas=meta.current_version)


def _fails(app: App, *args: str, code: int = 1, input: str | None = None) -> str:
    result = invoke(app, *args, input=input)
    assert result.exit_code == code, (args, result.output)
    assert "Traceback" not in result.output
    return result.stderr


def test_losing_the_check_and_set_joins_the_winner(vapp: App, openbao: OpenBao) -> None:
    vault = open_vault(vapp)
    with vapp.begin() as conn:
        stale = rotation_target(conn, get_account_record(conn, "brand-x"))
    kwargs: dict[str, Any] = {"actor": "t", "reason": "leaver", "run_id": None, "fresh": True}
    version, _ = write_new_version(
        vault, vapp.clock, target=stale, key="run-aaa111:rotate:credential-1", **kwargs
    )
    assert version == 2
    with pytest.raises(CoveredError) as lost:
        write_new_version(
            vault, vapp.clock, target=stale, key="run-bbb222:rotate:credential-1", **kwargs
        )
    covering = lost.value.covering
    assert (covering.version, covering.run_id, covering.step_id, covering.item_id) == (
        2,
        "run-aaa111",
        "rotate",
        "credential-1",
    )
    assert "runs confirm run-aaa111 rotate --item credential-1" in lost.value.message
    assert _kv_versions(vapp, openbao) == 2  # the loser wrote nothing


def test_a_creds_rotate_run_is_finished_with_creds_confirm(vapp: App) -> None:
    rotated = invoke(vapp, "creds", "rotate", "brand-x", "--json")
    assert rotated.exit_code == 0, rotated.output
    run = json.loads(rotated.stdout)["run"]
    again = _fails(vapp, "creds", "rotate", "brand-x")
    assert "already pending" in again and f"run {run}" in again
    assert "accessguard creds confirm brand-x" in again and "runs confirm" not in again


def test_a_runs_confirm_never_confirms_another_rotation(vapp: App, openbao: OpenBao) -> None:
    assert invoke(vapp, "creds", "rotate", "brand-x").exit_code == 0  # version 2, pending
    assert invoke(vapp, "creds", "confirm", "brand-x").exit_code == 0
    assert invoke(vapp, "creds", "rotate", "brand-x").exit_code == 0  # version 3, pending
    # A run item that rotated to version 2 is confirmed late: version 3 stays pending.
    with vapp.begin() as conn:
        account = get_account_record(conn, "brand-x")
        late = confirm(
            conn, vapp.clock, vault=open_vault(vapp), account=account, actor="t", version=2
        )
    assert late.outcome is Outcome.UNCHANGED
    cred = _credential(vapp)
    assert (cred.current_version, cred.state) == (3, "rotation-pending")


def test_out_of_band_write_is_named_then_adopted_then_rotation_works(
    vapp: App, openbao: OpenBao
) -> None:
    _bao_kv_put(vapp, openbao, {"username": "brandx", "password": OUT_OF_BAND, "recovery": "x"})

    rotate = _fails(vapp, "creds", "rotate", "brand-x")
    assert "outside accessguard" in rotate and "creds adopt brand-x" in rotate
    assert "retry" not in rotate.lower() and "won the race" not in rotate
    stored = _fails(vapp, "creds", "set", "brand-x", input='{"password": "p", "username": "u"}')
    assert "outside accessguard" in stored and "creds adopt brand-x" in stored
    assert "idempotency" not in stored.lower()

    # No terminal and no --yes: refused, nothing recorded; a dry run prints the plan only.
    refused = _fails(vapp, "creds", "adopt", "brand-x", code=2)
    assert "--yes" in refused
    assert _credential(vapp).current_version == 1
    runs = json.loads(invoke(vapp, "runs", "list", "--json").stdout)
    dry = invoke(vapp, "creds", "adopt", "brand-x", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["plan"]["playbook"] == "creds-adopt"
    assert _credential(vapp).current_version == 1
    assert json.loads(invoke(vapp, "runs", "list", "--json").stdout) == runs

    adopted = invoke(vapp, "creds", "adopt", "brand-x", "--yes", "--json", "--reason", "ops")
    assert adopted.exit_code == 0, adopted.output
    data = json.loads(adopted.stdout)
    assert data["adopted"] == {
        "account": "brand-x",
        "known_version": 1,
        "version": 2,
        "added": ["recovery"],
        "removed": ["backup_codes"],
        "changed": ["password"],
    }
    assert OUT_OF_BAND not in adopted.output and OLD not in adopted.output
    assert "changed: password" in adopted.stderr
    cred = _credential(vapp)
    assert (cred.current_version, cred.state) == (2, "active")
    with vapp.begin() as conn:
        events = find_events(conn, action="credential.adopt")
    assert [e.details["version"] for e in events] == [2]
    assert invoke(vapp, "runs", "list", "--json").stdout.count("creds-adopt") == 1

    rotated = invoke(vapp, "creds", "rotate", "brand-x", "--json")
    assert rotated.exit_code == 0, rotated.output
    assert json.loads(rotated.stdout)["details"]["version"] == 3
    assert _kv_versions(vapp, openbao) == 3
    assert _fails(vapp, "creds", "adopt", "brand-x", "--yes")  # pending: nothing adopted


def test_adopt_refuses_when_there_is_nothing_to_adopt(vapp: App) -> None:
    assert "nothing to adopt" in _fails(vapp, "creds", "adopt", "brand-x", "--yes")


def test_reveal_shows_the_accepted_version_unless_pending_is_asked(
    vapp: App, openbao: OpenBao
) -> None:
    assert invoke(vapp, "creds", "rotate", "brand-x").exit_code == 0
    new = admin_vault(vapp, openbao).kv.read(admin_vault(vapp, openbao).paths.secret("brand-x"))
    pending_pw = new.values["password"].reveal()

    current = invoke(vapp, "creds", "reveal", "brand-x", "--reason", "post")
    assert current.exit_code == 0, current.output
    assert current.stdout.strip() == OLD
    assert "version 1 (current" in current.stderr and "--pending" in current.stderr

    pending = invoke(vapp, "creds", "reveal", "brand-x", "--pending", "--reason", "set on x")
    assert pending.exit_code == 0, pending.output
    assert pending.stdout.strip() == pending_pw != OLD
    assert "version 2 (PENDING" in pending.stderr

    assert invoke(vapp, "creds", "confirm", "brand-x").exit_code == 0
    after = invoke(vapp, "creds", "reveal", "brand-x", "--reason", "post")
    assert after.stdout.strip() == pending_pw
    assert "no pending rotation" in _fails(
        vapp, "creds", "reveal", "brand-x", "--pending", "--reason", "x"
    )


def test_an_unrecorded_rotation_is_named_by_its_run_not_adopted(vapp: App) -> None:
    vault = open_vault(vapp)
    with vapp.begin() as conn:
        target = rotation_target(conn, get_account_record(conn, "brand-x"))
    # The Vault half of a run's rotation, killed before it was recorded.
    write_new_version(
        vault,
        vapp.clock,
        target=target,
        key="run-abc123:rotate:account-1",
        actor="t",
        reason="r",
        run_id="run-abc123",
        fresh=True,
    )
    stored = _fails(vapp, "creds", "set", "brand-x", input='{"password": "p", "username": "u"}')
    assert "runs resume run-abc123" in stored
    assert "idempotency" not in stored.lower()
    adopt = _fails(vapp, "creds", "adopt", "brand-x", "--yes")
    assert "interrupted rotation" in adopt and "runs resume run-abc123" in adopt
    assert _credential(vapp).current_version == 1
