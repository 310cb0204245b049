"""`creds import` attacked: a bad entry, an open or foreign file, a dry run, logs and the
audit trail. Each refusal is one `error:` line, and nothing changes in Vault or the DB."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import func, select

from accessguard.app import App
from accessguard.cli.creds_import import import_cmd
from accessguard.db import tables
from accessguard.vault.facade import Vault
from support import password_exports as exports
from support.password_exports import BANK, IG, KDBX_PASSWORD, SEED_IG, SEED_X, Login, X, run
from support.stepup import step_up_config
from support.vault import admin_vault, seed_inventory, sqlite_vault_app

#: What must never be shown, logged or recorded: passwords and seeds (usernames are
#: stored in Vault too, but a handle-like username is also an account's public handle).
SECRETS = [X.password, IG.password, BANK.password, SEED_X, SEED_IG, SEED_IG[:16].lower()]


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    for application in sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch):
        seed_inventory(application, openbao, accounts=(("brand-x", "x"), ("brand-ig", "instagram")))
        yield application


def state(app: App, vault: Vault) -> tuple[object, ...]:
    """What an import changes: Vault's logins and seeds of both accounts, and the DB rows."""
    with app.begin() as conn:
        rows = tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (tables.credentials, tables.totp_keys, tables.audit_events)
        )
    logins = tuple(vault.kv.metadata(vault.paths.secret(a)) for a in ("brand-x", "brand-ig"))
    seeds = tuple(vault.totp.exists(vault.paths.totp_key(a, 1)) for a in ("brand-x", "brand-ig"))
    return rows, logins, seeds


def one_error(result: Result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def refused(
    app: App, openbao, export: Path, source: str, *extra: str, input: str | None = None
) -> str:
    """Run the import, check it failed with one error line and changed nothing; the line."""
    vault = admin_vault(app, openbao)
    before = state(app, vault)
    result = run(
        app, "creds", "import", str(export), "--from", source, "--yes", *extra, input=input
    )
    assert result.exit_code != 0
    assert state(app, vault) == before
    return one_error(result)


def test_a_bad_seed_in_the_second_entry_changes_nothing(vapp: App, openbao, tmp_path) -> None:
    bad = Login(IG.name, IG.url, IG.username, IG.password, "not-a-seed!")
    export = exports.write_private(tmp_path / "bw.json", exports.bitwarden([X, bad]))
    line = refused(vapp, openbao, export, "bitwarden")
    assert f"{export}:item 3 (Instagram (brand))" in line  # item 1 is a secure note
    assert "not-a-seed" not in line


def test_a_row_without_a_password_changes_nothing(vapp: App, openbao, tmp_path) -> None:
    rows = [X, Login("brand-ig", "", "user-0009", "")]
    export = exports.write_private(tmp_path / "logins.csv", exports.generic_csv(rows))
    assert f"{export}:3 (brand-ig): no password" in refused(vapp, openbao, export, "csv")


def test_an_unknown_account_in_the_plain_csv_changes_nothing(vapp, openbao, tmp_path) -> None:
    rows = [X, Login("brand-typo", "", "user-0009", "Xq7!typo-pw-0006")]
    export = exports.write_private(tmp_path / "logins.csv", exports.generic_csv(rows))
    assert "no account 'brand-typo'" in refused(vapp, openbao, export, "csv")


def test_two_entries_for_one_account_change_nothing(vapp: App, openbao, tmp_path) -> None:
    twin = Login("Brand-X", "", "user-0008", "Xq7!twin-pw-0007")
    export = exports.write_private(tmp_path / "kp.xml", exports.keepass_xml([X, twin]))
    assert "brand-x is matched by" in refused(vapp, openbao, export, "keepass")


def test_a_pending_rotation_refuses_the_whole_file(vapp: App, openbao, tmp_path) -> None:
    first = exports.write_private(tmp_path / "a.csv", exports.generic_csv([X]))
    assert run(vapp, "creds", "import", str(first), "--from", "csv", "--yes").exit_code == 0
    assert run(vapp, "creds", "rotate", "brand-x").exit_code == 0
    again = Login(X.name, "", X.username, "Xq7!during-rotation-0010")
    rows = [Login("brand-ig", "", IG.username, IG.password), again]
    export = exports.write_private(tmp_path / "b.csv", exports.generic_csv(rows))
    assert "b.csv:3 (brand-x): a rotation of brand-x is pending" in refused(
        vapp, openbao, export, "csv"
    )


def test_a_seed_already_in_custody_refuses_the_whole_file(vapp, openbao, tmp_path) -> None:
    """A seed is never replaced by an import (`totp regenerate` does that, safely)."""
    first = exports.write_private(tmp_path / "a.csv", exports.generic_csv([X]))
    assert run(vapp, "creds", "import", str(first), "--from", "csv", "--yes").exit_code == 0
    rows = [Login("brand-ig", "", IG.username, IG.password), X]
    export = exports.write_private(tmp_path / "b.csv", exports.generic_csv(rows))
    line = refused(vapp, openbao, export, "csv")
    assert "brand-x already has a TOTP seed in Vault custody" in line


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_file_others_can_read_is_refused_unread(vapp, openbao, tmp_path, mode) -> None:
    """Refused on its mode alone: the content (not even valid JSON) is never parsed."""
    export = exports.write_private(tmp_path / "bw.json", b"{not json " + X.password.encode(), mode)
    line = refused(vapp, openbao, export, "bitwarden")
    assert f"mode {mode:04o} lets others read it" in line


def test_a_file_of_another_user_is_refused(vapp, openbao, tmp_path) -> None:
    export = exports.write_private(tmp_path / "bw.json", exports.bitwarden([X]))
    os.chown(export, 65534, 65534)
    assert "owned by another user" in refused(vapp, openbao, export, "bitwarden")


def test_a_symbolic_link_is_refused(vapp, openbao, tmp_path) -> None:
    target = exports.write_private(tmp_path / "bw.json", exports.bitwarden([X]))
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert "a symbolic link" in refused(vapp, openbao, link, "bitwarden")


def test_an_encrypted_bitwarden_export_is_refused(vapp, openbao, tmp_path) -> None:
    data = b'{"encrypted": true, "passwordProtected": true, "data": "2.abc", "items": []}'
    export = exports.write_private(tmp_path / "bw.json", data)
    assert "an encrypted Bitwarden export" in refused(vapp, openbao, export, "bitwarden")


def test_a_wrong_master_password_is_one_error(vapp, openbao, tmp_path) -> None:
    data = exports.kdbx([X], master_password=KDBX_PASSWORD, path=tmp_path / "built.kdbx")
    export = exports.write_private(tmp_path / "db.kdbx", data)
    line = refused(vapp, openbao, export, "keepass", input="not the password\n")
    assert "wrong master password" in line


def test_a_doctype_in_keepass_xml_is_refused(vapp, openbao, tmp_path) -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><KeePassFile/>'
    export = exports.write_private(tmp_path / "kp.xml", data)
    assert "DOCTYPE" in refused(vapp, openbao, export, "keepass")


def test_without_yes_and_no_terminal_nothing_is_stored(vapp, openbao, tmp_path) -> None:
    export = exports.write_private(tmp_path / "bw.json", exports.bitwarden([X]))
    vault = admin_vault(vapp, openbao)
    before = state(vapp, vault)
    result = run(vapp, "creds", "import", str(export), "--from", "bitwarden")
    assert one_error(result) == (
        "error: refusing to go ahead without confirmation: there is no terminal to ask on"
    )
    assert state(vapp, vault) == before


def test_step_up_guards_the_import(vapp, openbao, tmp_path) -> None:
    """With step-up on, an import needs the operator's code, as `creds set` does."""
    step_up_config(on=True)
    export = exports.write_private(tmp_path / "bw.json", exports.bitwarden([X]))
    line = refused(vapp, openbao, export, "bitwarden", "--step-up-code", "123456")
    assert "step-up" in line


@pytest.mark.parametrize("as_json", [False, True])
def test_a_dry_run_shows_names_never_values(vapp, openbao, tmp_path, as_json) -> None:
    export = exports.write_private(tmp_path / "bw.json", exports.bitwarden([X, IG, BANK]))
    vault = admin_vault(vapp, openbao)
    before = state(vapp, vault)
    args = ["--json"] if as_json else []
    result = run(vapp, "creds", "import", str(export), "--from", "bitwarden", "--dry-run", *args)
    assert result.exit_code == 0, result.output
    assert state(vapp, vault) == before
    for name in ("brand-x", "brand-ig", BANK.name):
        assert name in result.stdout + result.stderr
    for secret in SECRETS:
        assert secret.lower() not in (result.stdout + result.stderr).lower()


def test_no_value_reaches_the_log_or_the_audit_trail(vapp, openbao, tmp_path) -> None:
    log = tmp_path / "ag.log"
    export = exports.write_private(tmp_path / "bw.json", exports.bitwarden([X, IG, BANK]))
    result = run(vapp, "--log-file", str(log), "-v", "creds", "import", str(export),
                 "--from", "bitwarden", "--yes")  # fmt: skip
    assert result.exit_code == 0, result.output
    with vapp.begin() as conn:
        dump = repr([conn.execute(select(t)).all() for t in tables.metadata.sorted_tables])
    trail = run(vapp, "audit", "log", "--json").stdout
    written = log.read_text() + dump + trail + result.stdout + result.stderr
    assert "credential.set" in trail
    for secret in SECRETS:
        assert secret.lower() not in written.lower()


def test_no_secret_is_ever_an_argument() -> None:
    """Values come only from the file (and a KeePass master password from stdin)."""
    options = {o for p in import_cmd.params for o in p.opts}
    assert not {o for o in options if any(w in o for w in ("pass", "secret", "seed", "totp"))}
