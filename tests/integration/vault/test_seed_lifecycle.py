"""The 2FA seed's exposure lifecycle against OpenBao: shown or pasted, seen by the operator;
a finding only while someone leaving or departed holds the current seed; re-enrolment ends it."""

from __future__ import annotations

from collections.abc import Iterator

import pyotp
import pytest
from click.testing import CliRunner
from sqlalchemy import update

from accessguard.app import App
from accessguard.audit.chain import find_events
from accessguard.cli.main import cli
from accessguard.credentials.exposure import exported_seed_accounts
from accessguard.credentials.totp import confirm, enroll, regenerate
from accessguard.db import tables
from accessguard.inventory.grants import add_grant
from accessguard.inventory.records import get_account_record, get_person_record
from accessguard.reports.findings.base import FindingContext
from accessguard.reports.findings.credentials import seed_findings
from accessguard.secret import Secret
from accessguard.vault.facade import open_vault
from support.vault import seed_inventory, sqlite_vault_app, store_login

OPERATOR = "tester@example.com"
ANN = "ann@example.com"


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    """An SQLite App wired to OpenBao with a fresh prefix and a tool-policy token."""
    yield from sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch)


def _seed_exported(app: App) -> list[tuple[str | None, str | None]]:
    with app.begin() as conn:
        ctx = FindingContext(conn, app.settings, app.clock.now())
        return [(f.account, f.person) for f in seed_findings(ctx) if f.kind == "seed-exported"]


def _seen_by(app: App, email: str) -> list[str]:
    with app.begin() as conn:
        return [a.name for a in exported_seed_accounts(conn, get_person_record(conn, email).id)]


def _enroll(app: App, account: str, actor: str, **kwargs) -> Secret | None:
    with app.begin() as conn:
        _, uri = enroll(
            conn,
            app.clock,
            vault=open_vault(app),
            account=get_account_record(conn, account),
            actor=actor,
            **kwargs,
        )
    return uri


def _reenrol(app: App, account: str, actor: str) -> None:
    vault = open_vault(app)
    with app.begin() as conn:
        acct = get_account_record(conn, account)
        regenerate(conn, app.clock, vault=vault, account=acct, actor=actor)
        confirm(conn, app.clock, vault=vault, account=acct, actor=actor)


def _status(app: App, email: str, status: str) -> None:
    with app.begin() as conn:
        conn.execute(
            update(tables.people).where(tables.people.c.email == email).values(status=status)
        )


def test_a_seed_shown_at_enrolment_is_the_operators_exposure_not_a_finding(
    vapp: App, openbao
) -> None:
    seed_inventory(vapp, openbao, people=(OPERATOR, ANN))
    assert _enroll(vapp, "brand-x", OPERATOR, generate=True) is not None
    assert _seen_by(vapp, OPERATOR) == ["brand-x"]
    assert _seed_exported(vapp) == []
    _status(vapp, OPERATOR, "leaving")  # the operator who saw it is leaving: now it matters
    assert _seed_exported(vapp) == [("brand-x", OPERATOR)]
    _reenrol(vapp, "brand-x", ANN)  # re-enrolled by someone else: the leaver's seed is gone
    assert _seen_by(vapp, OPERATOR) == []
    assert _seen_by(vapp, ANN) == ["brand-x"]
    assert _seed_exported(vapp) == []


def test_a_pasted_seed_counts_as_seen_by_the_operator_who_pasted_it(vapp: App, openbao) -> None:
    seed_inventory(vapp, openbao, people=(OPERATOR, ANN))
    _enroll(vapp, "brand-x", ANN, seed=Secret(pyotp.random_base32()))
    assert _seen_by(vapp, ANN) == ["brand-x"]
    _status(vapp, ANN, "departed")
    assert _seed_exported(vapp) == [("brand-x", ANN)]
    _reenrol(vapp, "brand-x", OPERATOR)
    assert _seed_exported(vapp) == []


def test_a_seed_shown_to_an_operator_outside_the_inventory_is_audited(vapp: App, openbao) -> None:
    seed_inventory(vapp, openbao, people=(OPERATOR,))
    _enroll(vapp, "brand-x", "cron", generate=True)
    with vapp.begin() as conn:
        events = find_events(conn, action="exposure.seed-shown")
        key = conn.execute(tables.totp_keys.select()).one()
    assert [e.actor for e in events] == ["cron"]
    assert key.exported is False
    assert _seed_exported(vapp) == []


def test_fail_on_high_passes_on_a_clean_setup(vapp: App, openbao) -> None:
    """Shared login and seed in custody, enrolled by an active operator, two admins."""
    seed_inventory(vapp, openbao, people=(OPERATOR, ANN))
    with vapp.begin() as conn:
        for email in (OPERATOR, ANN):
            add_grant(
                conn, vapp.clock, "setup", person_email=email, account_ref="brand-x",
                role="admin", via="platform-role",
            )  # fmt: skip
    store_login(vapp, open_vault(vapp), "brand-x", {"username": "u", "password": "p" * 20})
    _enroll(vapp, "brand-x", OPERATOR, generate=True)
    result = CliRunner().invoke(
        cli,
        ["--db", vapp.settings.database_url, "report", "access", "--format", "json", "--fail-on",
         "high"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.stdout[-2000:] + result.stderr
