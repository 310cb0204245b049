"""A leaver who saw backup codes and recovery details: the offboarding renews each field.

End to end with OpenBao, scim2-server and the Meta fake, on SQLite and PostgreSQL: the
renewal is a manual step that completes only when Vault holds a new value, stored with
``creds set ACCOUNT --field F`` from stdin; afterwards ``creds exposed`` shows nothing
current for the leaver and ``report keys`` names nobody.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from accessguard.app import App
from accessguard.reports.findings.base import FindingContext
from accessguard.reports.findings.credentials import seed_findings
from support.fake_meta import MetaFake
from support.offboarding import LEAVER, World, build_world, invoke, invoke_json
from support.vault import admin_vault, vault_app

ADMIN = ("--actor", "bob@example.com")
OLD_CODES = "1111-2222\n3333-4444"
NEW_CODES = "5555-6666\n7777-8888"


@pytest.fixture
def meta() -> Iterator[MetaFake]:
    """A Meta Graph API fake (documented shapes)."""
    with MetaFake() as server:
        yield server


@pytest.fixture
def world_db(app: App, openbao, scim, meta, monkeypatch) -> World:
    """The example company on the parametrized database (SQLite and PostgreSQL)."""
    return build_world(vault_app(app, openbao, monkeypatch), openbao, scim, meta)


def _vault_field(world: World, account: str, field: str) -> str | None:
    admin = admin_vault(world.app, world.openbao)
    value = admin.kv.read(admin.paths.secret(account)).values.get(field)
    return None if value is None else value.reveal()


def _set_field(world: World, account: str, field: str, value: str) -> Any:
    return invoke(world.app, *ADMIN, "creds", "set", account, "--field", field, input=value)


def _waiting(run: dict[str, Any], step: str) -> list[str]:
    return [
        i["item"]
        for s in run["steps"]
        if s["id"] == step
        for i in s["items"]
        if i["status"] == "waiting"
    ]


def _confirm(world: World, run_id: str, step: str, item: str) -> Any:
    return invoke(
        world.app, *ADMIN, "runs", "confirm", run_id, step, "--item", item, "--evidence", "done"
    )


def test_leaver_who_revealed_backup_codes_gets_them_renewed(world_db: World) -> None:
    world = world_db
    assert _set_field(world, "brand-x", "backup_codes", OLD_CODES).exit_code == 0
    assert _set_field(world, "brand-yt", "recovery", "it-old@example.com").exit_code == 0
    shown = invoke(
        world.app, "--actor", LEAVER, "creds", "reveal", "brand-x", "--field", "backup_codes",
        "--reason", "locked out",
    )  # fmt: skip
    assert shown.exit_code == 0 and shown.stdout.strip() == OLD_CODES
    assert (
        invoke(
            world.app,
            "--actor",
            LEAVER,
            "creds",
            "reveal",
            "brand-yt",
            "--all",
            "--reason",
            "setup",
        ).exit_code
        == 0
    )
    code, exposed = invoke_json(world.app, "creds", "exposed", LEAVER)
    assert code == 0
    assert {(f["account"], f["field"]) for f in exposed["fields"]} == {
        ("brand-x", "backup_codes"),
        ("brand-yt", "recovery"),
    }
    # Backup codes only: brand-x's password was not seen; brand-yt's was (--all).
    code, observed = invoke_json(world.app, "creds", "exposed", LEAVER, "--observed-only")
    assert [e["account"] for e in observed["credentials"]] == ["brand-yt"]
    code, keys = invoke_json(world.app, "report", "keys")
    seen = {
        (f["person"], f["kind"])
        for r in keys
        if r["account"] == "brand-x"
        for f in r["fields_seen"]
    }
    assert seen == {(LEAVER, "reveal"), ("bob@example.com", "entered")}

    result = invoke(world.app, "offboard", LEAVER, "--yes", "--json")
    assert result.exit_code == 5, result.stderr
    code, run = invoke_json(world.app, "runs", "show", _run_id(result.stdout))
    step = next(s for s in run["steps"] if s["id"] == "renew-exposed-fields")
    items = {i["item"]: i for i in step["items"]}
    assert set(items) == {"credential-1-backup_codes", "credential-2-recovery"}, items
    assert {i["status"] for i in items.values()} == {"waiting"}
    instructions = items["credential-1-backup_codes"]["instructions"]
    assert "creds set brand-x --field backup_codes" in instructions
    assert "Backup codes" in instructions  # the platform's own menu path (X)

    # Confirming before Vault holds new codes keeps the item waiting, with the reason.
    early = _confirm(world, run["id"], "renew-exposed-fields", "credential-1-backup_codes")
    assert early.exit_code != 0 and "still holds the backup codes" in early.stderr
    # The password rotation is pending: an admin changes it on the platform and confirms.
    for item in _waiting(run, "rotate-shared-logins"):
        assert _confirm(world, run["id"], "rotate-shared-logins", item).exit_code in (0, 5)
    rotated_password = _vault_field(world, "brand-x", "password")
    assert rotated_password not in (None, "brand-x-initial-pw-0")
    # Storing the same codes again is not a renewal.
    assert _set_field(world, "brand-x", "backup_codes", OLD_CODES).exit_code == 0
    same = _confirm(world, run["id"], "renew-exposed-fields", "credential-1-backup_codes")
    assert same.exit_code != 0 and "still holds" in same.stderr
    code, exposed = invoke_json(world.app, "creds", "exposed", LEAVER)
    assert ("brand-x", "backup_codes") in {(f["account"], f["field"]) for f in exposed["fields"]}

    assert _set_field(world, "brand-x", "backup_codes", NEW_CODES).exit_code == 0
    assert _set_field(world, "brand-yt", "recovery", "it-new@example.com").exit_code == 0
    done = _confirm(world, run["id"], "renew-exposed-fields", "credential-1-backup_codes")
    assert done.exit_code in (0, 5), done.stderr
    # A resume finds the new recovery details in Vault and completes that item itself.
    resumed = invoke(world.app, *ADMIN, "runs", "resume", run["id"], "--json")
    assert resumed.exit_code in (0, 5), resumed.stderr

    assert _vault_field(world, "brand-x", "backup_codes") == NEW_CODES
    assert _vault_field(world, "brand-x", "password") == rotated_password  # --field kept it
    assert _vault_field(world, "brand-x", "username") == "brand-x-user"
    assert _vault_field(world, "brand-yt", "recovery") == "it-new@example.com"
    code, shown_run = invoke_json(world.app, "runs", "show", run["id"])
    renewed = next(s for s in shown_run["steps"] if s["id"] == "renew-exposed-fields")
    statuses = {i["item"]: i["status"] for i in renewed["items"]}
    assert statuses == {"credential-1-backup_codes": "done", "credential-2-recovery": "changed"}
    # The leaver saw brand-x's seed at enrolment: a finding while it is current.
    assert _seed_exported(world.app) == [("brand-x", LEAVER)]
    for item in _waiting(run, "reenrol-2fa"):
        assert _confirm(world, run["id"], "reenrol-2fa", item).exit_code in (0, 5)
    assert _seed_exported(world.app) == []
    code, exposed = invoke_json(world.app, "creds", "exposed", LEAVER)
    assert code == 0
    assert exposed["fields"] == []
    assert exposed["credentials"] == []
    assert exposed["exported_seeds"] == []
    code, keys = invoke_json(world.app, "report", "keys")
    assert [f for r in keys for f in r["fields_seen"] if f["person"] == LEAVER] == []


def _seed_exported(app: App) -> list[tuple[str | None, str | None]]:
    with app.begin() as conn:
        ctx = FindingContext(conn, app.settings, app.clock.now())
        return [(f.account, f.person) for f in seed_findings(ctx) if f.kind == "seed-exported"]


def _run_id(stdout: str) -> str:
    import json

    return str(json.loads(stdout)["run"]["id"])


def _exposure_rows(world: World) -> int:
    from sqlalchemy import func, select

    from accessguard.db import tables

    with world.app.begin() as conn:
        return int(conn.execute(select(func.count()).select_from(tables.exposures)).scalar_one())


def test_bad_field_input_is_one_error_line_and_changes_nothing(world: World) -> None:
    before, versions = _exposure_rows(world), _vault_versions(world)
    absent = invoke(
        world.app, "--actor", LEAVER, "creds", "reveal", "brand-x", "--field", "recovery",
        "--reason", "curious",
    )  # fmt: skip
    empty = _set_field(world, "brand-x", "backup_codes", "\n \n")
    unknown = invoke(world.app, *ADMIN, "creds", "set", "brand-x", "--field", "pin", input="1")
    no_login = _set_field(world, "brand-fb", "backup_codes", NEW_CODES)  # nothing stored yet
    for result in (absent, empty, unknown, no_login):
        assert result.exit_code in (1, 2), result.output
        assert "Traceback" not in result.stderr
        assert "error:" in result.stderr.lower()
    assert "has no recovery" in absent.stderr
    assert _exposure_rows(world) == before  # nothing shown, nothing recorded
    assert _vault_versions(world) == versions


def _vault_versions(world: World) -> dict[str, int]:
    admin = admin_vault(world.app, world.openbao)
    out = {}
    for name in ("brand-x", "brand-yt", "brand-fb"):
        meta = admin.kv.metadata(admin.paths.secret(name))
        out[name] = meta.current_version if meta else 0
    return out


@pytest.mark.parametrize("show", [True, False])
def test_the_re_enrolled_seed_is_seen_only_by_the_operator_it_was_shown_to(
    world: World, show: bool
) -> None:
    args = ["offboard", LEAVER, "--yes", "--json", *(["--show-secrets"] if show else [])]
    result = invoke(world.app, *ADMIN, *args)
    assert result.exit_code == 5, result.stderr
    assert ("otpauth://" in result.stderr) is show
    _, bob = invoke_json(world.app, "creds", "exposed", "bob@example.com")
    assert bob["exported_seeds"] == (["brand-x"] if show else [])
    _, ann = invoke_json(world.app, "creds", "exposed", LEAVER)
    assert ann["exported_seeds"] == ["brand-x"]  # her seed is current until confirmed
