"""`creds import` against a real OpenBao: each password manager's export lands in Vault
custody with the file's values; entries match accounts by name, by site and username, or
by a --map file; what matches nothing is listed and left alone."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from accessguard.app import App
from accessguard.db import tables
from accessguard.vault.facade import Vault
from support import password_exports as exports
from support.password_exports import BANK, IG, KDBX_PASSWORD, SEED_IG, SEED_X, Login, X, run
from support.vault import admin_vault, seed_inventory, sqlite_vault_app


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    """An SQLite App on OpenBao (fresh prefix, tool token) holding brand-x and brand-ig."""
    for application in sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch):
        seed_inventory(application, openbao, accounts=(("brand-x", "x"), ("brand-ig", "instagram")))
        yield application


def stored(vault: Vault, account: str) -> dict[str, str]:
    return {k: v.reveal() for k, v in vault.kv.read(vault.paths.secret(account)).values.items()}


def assert_codes_from(vault: Vault, account: str, seed: str) -> None:
    """Vault's code for the account is the one the file's seed gives (this step or the next)."""
    code = vault.totp.code(vault.paths.totp_key(account, 1)).reveal()
    now = time.time()
    assert code in {pyotp.TOTP(seed).at(now + delta) for delta in (-30, 0, 30)}


Builder = Callable[[list[Login], Path], bytes]
FORMATS: dict[str, tuple[str, Builder, list[Login]]] = {
    "bitwarden": ("bitwarden", lambda logins, _: exports.bitwarden(logins), [X, IG, BANK]),
    "1pux": ("1password", lambda logins, _: exports.onepux(logins), [X, IG, BANK]),
    "1password-csv": (
        "1password",
        lambda logins, _: exports.onepassword_csv(logins),
        [X, IG, BANK],
    ),
    "keepass-xml": ("keepass", lambda logins, _: exports.keepass_xml(logins), [X, IG, BANK]),
    "kdbx": (
        "keepass",
        lambda logins, tmp: exports.kdbx(
            logins, master_password=KDBX_PASSWORD, path=tmp / "built.kdbx"
        ),
        [X, IG, BANK],
    ),
}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_each_format_lands_in_vault_with_the_files_values(
    vapp: App, openbao, tmp_path: Path, fmt: str
) -> None:
    source, build, logins = FORMATS[fmt]
    export = exports.write_private(tmp_path / f"export.{fmt}", build(logins, tmp_path))
    result = run(vapp, "creds", "import", str(export), "--from", source, "--yes", "--json",
                 input=KDBX_PASSWORD + "\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    vault = admin_vault(vapp, openbao)
    assert stored(vault, "brand-x") == {"username": X.username, "password": X.password}
    assert stored(vault, "brand-ig") == {"username": IG.username, "password": IG.password}
    assert_codes_from(vault, "brand-x", SEED_X)
    assert_codes_from(vault, "brand-ig", SEED_IG)
    shown = json.loads(result.stdout)
    assert [e["entry"] for e in shown["unmatched"]] == [BANK.name]


def test_the_plain_csv_names_its_accounts(vapp: App, openbao, tmp_path: Path) -> None:
    rows = [X, Login("brand-ig", "", IG.username, IG.password, None)]
    export = exports.write_private(tmp_path / "logins.csv", exports.generic_csv(rows))
    result = run(vapp, "creds", "import", str(export), "--from", "csv", "--yes")
    assert result.exit_code == 0, result.output
    vault = admin_vault(vapp, openbao)
    assert stored(vault, "brand-ig") == {"username": IG.username, "password": IG.password}
    assert_codes_from(vault, "brand-x", SEED_X)


def test_a_map_file_names_the_account_of_an_entry(vapp: App, openbao, tmp_path: Path) -> None:
    other = Login("Shared X login", "", "user-0009", "Xq7!mapped-pw-0004")
    export = exports.write_private(tmp_path / "bw.json", exports.bitwarden([other]))
    mapping = tmp_path / "map.csv"
    mapping.write_text("entry,account\nShared X login,brand-x\n")
    result = run(vapp, "creds", "import", str(export), "--from", "bitwarden", "--map",
                 str(mapping), "--yes")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert stored(admin_vault(vapp, openbao), "brand-x")["password"] == other.password


def test_the_import_is_recorded_like_creds_set(vapp: App, tmp_path: Path) -> None:
    """One credential version per account, in the inventory, with a set and an enrol event."""
    export = exports.write_private(tmp_path / "bw.json", exports.bitwarden([X, IG, BANK]))
    run(vapp, "creds", "import", str(export), "--from", "bitwarden", "--yes")
    with vapp.begin() as conn:
        versions = conn.execute(select(tables.credentials.c.current_version)).scalars().all()
        actions = conn.execute(select(tables.audit_events.c.action)).scalars().all()
    assert versions == [1, 1]
    assert actions.count("credential.set") == 2
    assert actions.count("totp.enroll") == 2


def test_importing_again_stores_a_new_version(vapp: App, openbao, tmp_path: Path) -> None:
    first = exports.write_private(tmp_path / "a.csv", exports.generic_csv([X]))
    run(vapp, "creds", "import", str(first), "--from", "csv", "--yes")
    changed = Login("brand-x", "", X.username, "Xq7!changed-pw-0005")
    second = exports.write_private(tmp_path / "b.csv", exports.generic_csv([changed]))
    result = run(vapp, "creds", "import", str(second), "--from", "csv", "--yes")
    assert result.exit_code == 0, result.output
    assert stored(admin_vault(vapp, openbao), "brand-x")["password"] == changed.password
