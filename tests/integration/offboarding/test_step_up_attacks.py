"""Step-up attacked with the tool's own Vault token and with write access to the database.

- The tool token (``ag-<slug>-tool``) only has Vault check a code: it cannot create,
  overwrite, read, delete or have Vault produce codes of an operator's step-up key.
- Used codes and refused codes live in the operator's ledger in Vault KV: deleting
  every row a database writer can reach re-enables no replay and lifts no lockout.
- ``creds set``, ``totp regenerate`` and ``totp confirm`` ask for step-up like the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pyotp
import pytest
from sqlalchemy import delete, select

from accessguard.db import tables
from accessguard.errors import CasConflictError, UsageError, VaultForbiddenError
from accessguard.playbooks.stepup import MAX_FAILURES, Operator, StepUp, check, enroll
from accessguard.secret import Secret
from accessguard.vault.facade import Vault, open_vault
from accessguard.vault.stepup_ledger import StepUpLedgers
from support.offboarding import World, invoke
from support.stepup import (
    audit_actions,
    current_code,
    enrolled,
    seed_of,
    step_up_config,
    wrong_code,
)
from support.vault import admin_vault

CHOSEN_SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _code(world: World, vault: Vault, code: str) -> None:
    """One step-up check as a command makes it, with the operator's own token."""
    check(world.app, StepUp(lambda _why: code), why="an attack test", vault=vault)


def _wipe_database(world: World) -> None:
    """What a database writer does: empty every table but the audit trail's."""
    keep = {"audit_events", "audit_head"}
    with world.app.begin() as conn:
        for table in reversed(tables.metadata.sorted_tables):
            if table.name not in keep:
                conn.execute(delete(table))


def test_the_tool_token_cannot_touch_an_operators_step_up_seed(world, monkeypatch) -> None:
    tool = open_vault(world.app)  # the world's day-to-day token: the tool policy only
    alice, key, uri = enrolled(world, monkeypatch)
    bob = tool.paths.operator_totp_key("token-bob")
    attacks: dict[str, Callable[[Vault], object]] = {
        "overwrite with a Vault-made seed": lambda v: v.totp.generate(
            key, issuer="evil", account_name="token-alice"
        ),
        "overwrite with a chosen seed": lambda v: v.totp.import_key(key, seed=Secret(CHOSEN_SEED)),
        "read the key": lambda v: v.totp.exists(key),
        "have Vault make a code": lambda v: v.totp.code(key),
        "delete the key": lambda v: v.totp.delete(key),
        "enrol a new operator": lambda v: v.totp.generate(bob, issuer="evil", account_name="bob"),
    }
    for what, attack in attacks.items():
        for vault in (tool, alice):  # alice's session holds the tool policy too
            with pytest.raises(VaultForbiddenError):
                attack(vault)
                pytest.fail(what)
    with pytest.raises(UsageError) as refused:  # the library says who may enrol
        enroll(world.app, tool, Operator("token-bob", None, False))
    assert refused.value.code == "step-up-enroll-forbidden"
    assert not admin_vault(world.app, world.openbao).totp.exists(bob)
    # Alice's own seed still works, and only it does.
    _code(world, alice, pyotp.TOTP(seed_of(uri)).now())
    assert audit_actions(world.app, "stepup.")[-1] == "stepup.passed"


def test_a_database_writer_cannot_replay_a_used_code(world, monkeypatch) -> None:
    alice, key, _ = enrolled(world, monkeypatch)
    code = current_code(world, key)
    _code(world, alice, code)
    _wipe_database(world)
    with pytest.raises(UsageError) as replay:
        _code(world, alice, code)
    assert replay.value.code == "step-up-replayed"  # refused from the ledger, before Vault
    ledger = admin_vault(world.app, world.openbao).kv.read(StepUpLedgers(alice).path("token-alice"))
    stored = json.dumps({k: v.reveal() for k, v in ledger.values.items()})
    assert code not in stored  # a digest, never the code
    assert len(json.loads(ledger.values["uses"].reveal())) == 1


def test_the_lockout_survives_deleting_database_rows(world, monkeypatch) -> None:
    alice, key, _ = enrolled(world, monkeypatch)
    code = current_code(world, key)
    for guess in range(MAX_FAILURES):
        with pytest.raises(UsageError) as failed:
            _code(world, alice, wrong_code(f"{(int(code) + guess) % 1_000_000:06d}"))
        assert failed.value.code == "step-up-failed"
    _wipe_database(world)
    with pytest.raises(UsageError) as locked:
        _code(world, alice, current_code(world, key))
    assert locked.value.code == "step-up-locked"


def test_a_stale_ledger_write_is_refused(world, monkeypatch) -> None:
    alice, _, _ = enrolled(world, monkeypatch)
    ledgers = StepUpLedgers(alice)
    first = ledgers.read("token-alice")
    ledgers.write("token-alice", first)
    with pytest.raises(CasConflictError):  # a second writer from the same version loses
        ledgers.write("token-alice", first)


def _login_version(world: World) -> int:
    vault = admin_vault(world.app, world.openbao)
    return vault.kv.read(vault.paths.secret("brand-x")).version


def _totp_keys(world: World) -> list[tuple[object, ...]]:
    with world.app.begin() as conn:
        return [tuple(row) for row in conn.execute(select(tables.totp_keys)).all()]


def test_secret_writing_commands_need_step_up(world, monkeypatch) -> None:
    step_up_config(on=True)
    monkeypatch.delenv("ACCESSGUARD_STEP_UP_CODE", raising=False)
    _, key, _ = enrolled(world, monkeypatch)
    login = json.dumps({"username": "northwind", "password": "a-new-password-1"})
    version, seeds = _login_version(world), _totp_keys(world)
    commands = [
        (("creds", "set", "brand-x"), login),
        (("totp", "regenerate", "brand-x", "--show-secrets"), None),
        (("totp", "confirm", "brand-x", "--yes"), None),
    ]
    for args, stdin in commands:
        refused = invoke(world.app, *args, input=stdin)
        assert refused.exit_code == 2, (args, refused.stderr)
        assert "--step-up-code" in refused.stderr, (args, refused.stderr)
    assert _login_version(world) == version and _totp_keys(world) == seeds

    code = current_code(world, key)
    ok = invoke(world.app, "creds", "set", "brand-x", "--step-up-code", code, input=login)
    assert ok.exit_code == 0, ok.stderr
    assert _login_version(world) == version + 1
    for args, stdin in commands:
        replayed = invoke(world.app, *args, "--step-up-code", code, input=stdin)
        assert replayed.exit_code == 2, (args, replayed.stderr)
        assert "already used" in replayed.stderr, (args, replayed.stderr)
    assert _login_version(world) == version + 1 and _totp_keys(world) == seeds


def test_step_up_is_on_unless_the_config_file_turns_it_off(world, monkeypatch, tmp_path) -> None:
    from accessguard.config import default_config_path, load_settings

    assert load_settings(tmp_path / "absent.toml", environ={}).offboarding.step_up is True
    config = default_config_path()  # the admin's file, without any step_up line
    config.write_text(
        "\n".join(line for line in config.read_text().splitlines() if "step_up" not in line)
    )
    monkeypatch.delenv("ACCESSGUARD_STEP_UP_CODE", raising=False)
    enrolled(world, monkeypatch)
    version = _login_version(world)
    refused = invoke(world.app, "creds", "rotate", "brand-x")
    assert refused.exit_code == 2, refused.stderr
    assert "--step-up-code" in refused.stderr
    assert _login_version(world) == version
    assert "stepup.off-by-config" not in audit_actions(world.app, "stepup.")


def test_the_enrolment_policy_bootstrap_writes_enrols_and_nothing_more(world, monkeypatch) -> None:
    admin = admin_vault(world.app, world.openbao)
    created = admin.write(
        "auth/token/create",
        {
            "policies": [admin.paths.stepup_enroll_policy()],
            "display_name": "security-admin",
            "ttl": "1h",
            "no_default_policy": True,
        },
        what="create an enrolment token",
    )
    assert created is not None
    enroller = open_vault(world.app, token=Secret(created["auth"]["client_token"]))
    uri = enroll(world.app, enroller, Operator("token-bob", None, False))
    key = admin.paths.operator_totp_key("token-bob")
    assert admin.totp.exists(key)
    with pytest.raises(VaultForbiddenError):  # enrolling is not taking codes
        enroller.totp.code(key)
    with pytest.raises(VaultForbiddenError):  # nor choosing the seed
        enroller.totp.import_key(admin.paths.operator_totp_key("token-carol"), url=uri)
    with pytest.raises(VaultForbiddenError):  # nor touching the accounts' seeds
        enroller.totp.code(admin.paths.totp_key("brand-x", 1))
