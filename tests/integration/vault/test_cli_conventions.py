"""The Vault commands' output convention and their guards, against a real OpenBao (issue 19).

- A new 2FA seed's QR code goes to a terminal only: `totp enroll --generate > file`
  is refused before Vault makes a seed, unless the user passes --show-secrets.
- `creds rollback` and `vault revoke-person` print their plan with --dry-run and ask
  before acting; with no terminal and no --yes they refuse: Vault and the database are
  unchanged either way.
- `creds set/reveal`, `totp enroll/code/confirm` print JSON; `vault status` with a
  refused token says how to get a good one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from accessguard.app import App
from accessguard.cli.main import cli
from accessguard.db import tables
from support.vault import admin_vault, seed_inventory, sqlite_vault_app

ME = "tester@example.com"
CATHY = "cathy@example.com"
LOGIN = {"username": "brandx", "password": "Conventions-Pw-1a2b3c"}


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    """An SQLite App wired to OpenBao, with brand-x shared with Cathy."""
    monkeypatch.setenv("ACCESSGUARD_ACTOR", ME)
    for app in sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch):
        seed_inventory(
            app,
            openbao,
            people=(ME, CATHY),
            accounts=(("brand-x", "x"), ("brand-yt", "youtube")),
            shared=((CATHY, "brand-x"),),
        )
        yield app


def run(app: App, *args: str, input: str | None = None, env: Any = None) -> Result:
    return CliRunner().invoke(
        cli,
        ["--db", app.settings.database_url, *args],
        input=input,
        catch_exceptions=False,
        env=env,
    )


def _count(app: App, table: Any) -> int:
    with app.begin() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _vault_state(app: App, openbao: Any, user: str = "") -> dict[str, Any]:
    """What the guarded commands could change: brand-x's versions, a user's entity, runs, audit."""
    admin = admin_vault(app, openbao)
    meta = admin.kv.metadata(admin.paths.secret("brand-x"))
    entity = admin.identity.read_entity(user) if user else None
    return {
        "versions": meta.current_version if meta else None,
        "entity_disabled": entity.disabled if entity else None,
        "runs": _count(app, tables.runs),
        "events": _count(app, tables.audit_events),
    }


def _one_error(result: Result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ")
    assert all(line.startswith(("error: ", "hint: ")) for line in lines)
    assert "Traceback" not in result.stderr
    return lines[0]


def test_a_generated_seed_is_not_written_to_a_file_unasked(vapp: App, openbao) -> None:
    refused = run(vapp, "totp", "enroll", "brand-yt", "--generate")
    assert "not a terminal" in _one_error(refused)
    assert "--show-secrets" in refused.stderr
    assert _count(vapp, tables.totp_keys) == 0  # refused before Vault made a seed
    assert not admin_vault(vapp, openbao).totp.exists(vapp_paths(vapp).totp_key("brand-yt", 1))

    shown = run(vapp, "totp", "enroll", "brand-yt", "--generate", "--show-secrets")
    assert shown.exit_code == 0, shown.stderr
    assert "\u2588" in shown.stdout or "\u2580" in shown.stdout  # the QR's blocks
    assert _count(vapp, tables.totp_keys) == 1


def test_with_json_the_qr_goes_to_stderr_and_stdout_stays_json(vapp: App, openbao) -> None:
    refused = run(vapp, "totp", "enroll", "brand-yt", "--generate", "--json")
    assert "stderr is not a terminal" in _one_error(refused)
    result = run(vapp, "totp", "enroll", "brand-yt", "--generate", "--json", "--show-secrets")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["outcome"] == "changed"
    assert data["qr_shown"] is True
    assert "otpauth" not in result.stdout


def test_regenerate_and_show_qr_refuse_a_pipe_before_changing_anything(vapp: App) -> None:
    seed = pyotp.random_base32()
    assert run(vapp, "totp", "enroll", "brand-x", input=seed + "\n").exit_code == 0
    with vapp.begin() as conn:
        before = conn.execute(select(tables.totp_keys)).one()
    for args in (("totp", "regenerate", "brand-x"), ("totp", "show-qr", "brand-x")):
        _one_error(run(vapp, *args))
    with vapp.begin() as conn:
        assert conn.execute(select(tables.totp_keys)).one() == before


def test_totp_code_and_enroll_print_json(vapp: App) -> None:
    seed = pyotp.random_base32()
    enrolled = run(vapp, "totp", "enroll", "brand-x", "--json", input=seed + "\n")
    assert json.loads(enrolled.stdout)["qr_shown"] is False
    code = run(vapp, "totp", "code", "brand-x", "--reason", "login", "-o", "json")
    data = json.loads(code.stdout)
    assert data["account"] == "brand-x"
    assert pyotp.TOTP(seed).verify(data["code"], valid_window=1)
    only = run(vapp, "totp", "code", "brand-x", "--reason", "login", "--field", "code")
    assert pyotp.TOTP(seed).verify(only.stdout.strip(), valid_window=1)
    confirmed = run(vapp, "totp", "confirm", "brand-x", "--yes", "--json")
    assert json.loads(confirmed.stdout)["outcome"] == "unchanged"  # nothing pending


def test_totp_confirm_asks_before_deleting_the_old_seed(vapp: App) -> None:
    seed = pyotp.random_base32()
    run(vapp, "totp", "enroll", "brand-x", input=seed + "\n")
    assert run(vapp, "totp", "regenerate", "brand-x", "--show-secrets").exit_code == 0
    with vapp.begin() as conn:
        before = conn.execute(select(tables.totp_keys)).one()
    assert before.pending_generation == 2
    assert "confirmation" in _one_error(run(vapp, "totp", "confirm", "brand-x", "--json"))
    with vapp.begin() as conn:
        assert conn.execute(select(tables.totp_keys)).one() == before
    code = run(vapp, "totp", "code", "brand-x", "--reason", "still old", "--field", "code")
    assert pyotp.TOTP(seed).verify(code.stdout.strip(), valid_window=1)  # old seed kept
    done = run(vapp, "totp", "confirm", "brand-x", "-y", "--json")
    assert json.loads(done.stdout)["outcome"] == "changed"
    with vapp.begin() as conn:
        assert conn.execute(select(tables.totp_keys.c.generation)).scalar_one() == 2


def test_creds_set_and_reveal_print_json(vapp: App) -> None:
    stored = run(vapp, "creds", "set", "brand-x", "--json", input=json.dumps(LOGIN))
    assert stored.exit_code == 0, stored.stderr
    assert json.loads(stored.stdout)["outcome"] == "changed"
    assert LOGIN["password"] not in stored.stdout + stored.stderr

    shown = run(vapp, "creds", "reveal", "brand-x", "--reason", "check", "--all", "--json")
    data = json.loads(shown.stdout)
    assert data["values"] == LOGIN
    assert data["version"] == 1 and data["shown_to"] == ME
    with vapp.begin() as conn:
        reasons = conn.execute(select(tables.exposures.c.reason)).scalars().all()
    assert "check" in reasons  # the JSON reveal is recorded like any other

    one = run(vapp, "creds", "reveal", "brand-x", "--note", "old name", "-o", "csv")
    assert one.exit_code == 2  # a reveal's nested values have no CSV form: refused first
    assert one.stdout == ""
    with vapp.begin() as conn:
        reasons = conn.execute(select(tables.exposures.c.reason)).scalars().all()
    assert "old name" not in reasons  # refused before the reveal: nobody saw anything


def test_csv_of_a_change_is_refused_before_the_change(vapp: App, openbao) -> None:
    before = _vault_state(vapp, openbao)
    refused = run(vapp, "creds", "set", "brand-x", "-o", "csv", input=json.dumps(LOGIN))
    assert "no CSV form" in _one_error(refused)
    assert "nothing was done" in refused.stderr
    assert _vault_state(vapp, openbao) == before
    assert before["versions"] is None  # still no login stored


def test_creds_rollback_dry_run_and_refusal_change_nothing(vapp: App, openbao) -> None:
    run(vapp, "creds", "set", "brand-x", input=json.dumps(LOGIN))
    assert run(vapp, "creds", "rotate", "brand-x").exit_code == 0
    before = _vault_state(vapp, openbao)

    dry = run(vapp, "creds", "rollback", "brand-x", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "Plan 'creds-rollback'" in dry.stdout
    plan = json.loads(run(vapp, "creds", "rollback", "brand-x", "--dry-run", "--json").stdout)
    assert plan["dry_run"] is True and plan["plan"]["playbook"] == "creds-rollback"
    assert "confirmation" in _one_error(run(vapp, "creds", "rollback", "brand-x"))
    assert _vault_state(vapp, openbao) == before

    done = run(vapp, "creds", "rollback", "brand-x", "--yes", "--json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["outcome"] == "changed"
    assert _vault_state(vapp, openbao)["versions"] == before["versions"] + 1


def test_revoke_person_dry_run_and_refusal_change_nothing(vapp: App, openbao) -> None:
    made = run(vapp, "vault", "user", CATHY, "--json", input="a-long-vault-password\n")
    user = json.loads(made.stdout)["username"]
    before = _vault_state(vapp, openbao, user)
    assert before["entity_disabled"] is False

    dry = run(vapp, "vault", "revoke-person", CATHY, "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "Plan 'vault-revoke-person'" in dry.stdout
    assert "confirmation" in _one_error(run(vapp, "vault", "revoke-person", CATHY))
    assert _vault_state(vapp, openbao, user) == before

    done = run(vapp, "vault", "revoke-person", CATHY, "-y", "--json")
    assert json.loads(done.stdout)["outcome"] == "changed"
    assert _vault_state(vapp, openbao, user)["entity_disabled"] is True


def test_vault_status_with_a_refused_token_says_how_to_log_in(vapp: App) -> None:
    result = run(vapp, "vault", "status", env={"VAULT_TOKEN": "hvs.not-a-real-token"})
    _one_error(result, code=1)
    hint = result.stderr.splitlines()[1]
    assert "accessguard login" in hint and "VAULT_TOKEN" in hint
    assert "vault status" not in hint
    good = run(vapp, "vault", "status", "-o", "json")
    assert json.loads(good.stdout)["token"]["policies"]
    assert os.environ["VAULT_TOKEN"] not in good.stdout


def vapp_paths(app: App) -> Any:
    from accessguard.vault.paths import VaultPaths

    return VaultPaths.from_settings(app.settings.vault)


def test_enroll_redirected_to_a_file_is_refused_and_to_dev_null_allowed(
    vapp: App, tmp_path: Path
) -> None:
    """`totp enroll --generate > file`, as a shell runs it: the file never gets the seed."""
    command = [sys.executable, "-m", "accessguard", "--db", vapp.settings.database_url,
               "totp", "enroll", "brand-yt", "--generate"]  # fmt: skip
    out = tmp_path / "qr.txt"
    with out.open("w") as handle:
        refused = subprocess.run(command, stdout=handle, stderr=subprocess.PIPE, text=True)
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: refusing to write the new seed's QR code")
    assert out.read_text() == ""
    assert _count(vapp, tables.totp_keys) == 0
    discarded = subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )  # what examples/demo.sh does: nothing keeps the QR
    assert discarded.returncode == 0, discarded.stderr
    assert _count(vapp, tables.totp_keys) == 1
