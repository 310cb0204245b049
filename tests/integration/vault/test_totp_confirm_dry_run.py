"""`totp confirm --dry-run` against a real OpenBao (issue 19: --dry-run on every destructive command).

`totp confirm` deletes the old seed from Vault. With --dry-run it says which generation
would be retired and which becomes current (or that nothing is pending), and changes
nothing: Vault still holds both seeds, the `totp_keys` row and the audit trail are as
they were. It asks no question and needs no step-up code, since nothing is done.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from accessguard.app import App
from accessguard.cli.main import cli
from accessguard.db import tables
from support.stepup import step_up_config
from support.vault import admin_vault, seed_inventory, sqlite_vault_app

ME = "tester@example.com"


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    """An SQLite App wired to OpenBao, with brand-x's seed enrolled (generation 1)."""
    monkeypatch.setenv("ACCESSGUARD_ACTOR", ME)
    for app in sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch):
        seed_inventory(app, openbao, people=(ME,), accounts=(("brand-x", "x"),))
        enrolled = run(app, "totp", "enroll", "brand-x", input=pyotp.random_base32() + "\n")
        assert enrolled.exit_code == 0, enrolled.stderr
        yield app


def run(app: App, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(
        cli, ["--db", app.settings.database_url, *args], input=input, catch_exceptions=False
    )


def _regenerated(app: App) -> None:
    result = run(app, "totp", "regenerate", "brand-x", "--show-secrets")
    assert result.exit_code == 0, result.stderr


def _state(app: App, openbao: Any) -> dict[str, Any]:
    """The seed's row, the audit trail's length and which of its Vault keys exist."""
    vault = admin_vault(app, openbao)
    with app.begin() as conn:
        row = conn.execute(select(tables.totp_keys)).one()
        events = conn.execute(select(func.count()).select_from(tables.audit_events)).scalar_one()
    names = [vault.paths.totp_key("brand-x", generation) for generation in (1, 2)]
    return {"row": row, "events": events, "in_vault": [vault.totp.exists(n) for n in names]}


def test_dry_run_names_the_swap_and_leaves_vault_and_the_database_alone(vapp: App, openbao) -> None:
    _regenerated(vapp)
    before = _state(vapp, openbao)
    assert before["in_vault"] == [True, True]
    result = run(vapp, "totp", "confirm", "brand-x", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == (
        "brand-x: seed generation 1 would be retired (deleted from Vault); "
        "pending generation 2 becomes current"
    )
    assert "dry run: nothing written" in result.stderr
    assert _state(vapp, openbao) == before  # both seeds kept, row and audit trail unchanged


def test_dry_run_json_shape(vapp: App, openbao) -> None:
    _regenerated(vapp)
    before = _state(vapp, openbao)
    result = run(vapp, "totp", "confirm", "brand-x", "--dry-run", "--json")
    data = json.loads(result.stdout)
    assert data == {
        "dry_run": True,
        "account": "brand-x",
        "retired": {"key_name": before["row"].key_name, "generation": 1},
        "current": {"key_name": before["row"].pending_key_name, "generation": 2},
    }
    assert _state(vapp, openbao) == before


def test_dry_run_with_nothing_pending_says_so(vapp: App, openbao) -> None:
    before = _state(vapp, openbao)
    result = run(vapp, "totp", "confirm", "brand-x", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "brand-x: nothing to confirm (no pending seed)" in result.stderr
    data = json.loads(run(vapp, "totp", "confirm", "brand-x", "--dry-run", "-o", "json").stdout)
    assert data == {"dry_run": True, "account": "brand-x", "retired": None, "current": None}
    assert _state(vapp, openbao) == before


def test_dry_run_needs_no_confirmation_and_no_step_up_code_and_spends_nothing(
    vapp: App, openbao
) -> None:
    """No terminal, no --yes, step-up on with no code: the real confirm is refused, the dry run is not."""
    _regenerated(vapp)
    step_up_config(on=True)
    before = _state(vapp, openbao)
    refused = run(vapp, "totp", "confirm", "brand-x", "--yes")
    assert refused.exit_code != 0, refused.stderr
    assert "step-up" in refused.stderr
    planned = run(vapp, "totp", "confirm", "brand-x", "--dry-run", "--yes")
    assert planned.exit_code == 0, planned.stderr
    assert "generation 1 would be retired" in planned.stdout
    assert _state(vapp, openbao) == before


def test_after_a_dry_run_the_real_confirm_does_what_it_said(vapp: App, openbao) -> None:
    _regenerated(vapp)
    run(vapp, "totp", "confirm", "brand-x", "--dry-run")
    done = run(vapp, "totp", "confirm", "brand-x", "--yes", "--json")
    assert json.loads(done.stdout)["outcome"] == "changed"
    after = _state(vapp, openbao)
    assert after["in_vault"] == [False, True]
    assert after["row"].generation == 2
    assert after["row"].pending_generation is None


def test_dry_run_of_an_unknown_account_is_one_error_line(vapp: App) -> None:
    result = run(vapp, "totp", "confirm", "brand-nope", "--dry-run")
    assert result.exit_code != 0
    assert result.stderr.startswith("error:")
    assert "Traceback" not in result.stderr
