"""An example company for offboarding tests: a leaver with a SCIM seat, Meta Page roles and shared logins.

``build_world`` seeds the database, OpenBao (shared logins, a TOTP seed, people's Vault
logins and group memberships), the SCIM server and the Meta fake; ``end_state`` reads
everything an offboarding changes, normalised so two separate worlds can be compared.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from click.testing import CliRunner, Result
from sqlalchemy import select

from accessguard.app import App
from accessguard.audit.chain import find_events
from accessguard.cli.main import cli
from accessguard.credentials.identity import set_user_password, sync
from accessguard.credentials.store import LoginValues, reveal, set_credential
from accessguard.credentials.totp import enroll
from accessguard.db import tables
from accessguard.inventory.accounts import AccountInput, add_account
from accessguard.inventory.grants import add_grant
from accessguard.inventory.people import PersonInput, add_person
from accessguard.inventory.records import get_account_record, get_person_record
from accessguard.secret import Secret
from accessguard.vault.facade import open_vault
from support.egress import admin_allows
from support.fake_meta import MetaFake
from support.servers import OpenBao, ScimServer
from support.vault import admin_vault, rebootstrap

#: The tests directory (``support`` is importable from it).
TESTS = Path(__file__).resolve().parent.parent

LEAVER = "ann@example.com"
ANN_PASSWORD = "ann-vault-login-pw-1"


@dataclass
class World:
    """Handles on everything the leaver can reach."""

    app: App
    openbao: OpenBao
    scim: ScimServer
    meta: MetaFake
    scim_user_id: str
    ann_token: str


def scim_headers(scim: ScimServer) -> dict[str, str]:
    """Bearer headers for the SCIM server."""
    return {"Authorization": f"Bearer {scim.token}", "Content-Type": "application/scim+json"}


def _scim_user(scim: ScimServer, email: str) -> str:
    response = requests.post(
        f"{scim.url}/Users",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": email,
            "emails": [{"value": email, "primary": True}],
            "active": True,
        },
        headers=scim_headers(scim),
        timeout=5,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def build_world(app: App, openbao: OpenBao, scim: ScimServer, meta: MetaFake) -> World:
    """Seed the company; ``app`` must already be wired to OpenBao (support.vault.vault_app)."""
    admin_allows(scim.url, meta.url, app=app)  # the servers started after the app read its config
    clock, actor = app.clock, "setup@example.com"
    with app.begin() as s:
        for email, name in [
            (LEAVER, "Ann Leaver"),
            ("bob@example.com", "Bob Admin"),
            ("cat@example.com", "Cat Colleague"),
        ]:
            add_person(s, clock, actor, PersonInput(email, name, department="Brand"))
        accounts = [
            AccountInput(
                name="hoot",
                platform="hootsuite",
                handle="northwind",
                settings={"base_url": scim.url},
            ),
            AccountInput(
                name="brand-fb",
                platform="facebook",
                handle="northwind.fb",
                owner_email=LEAVER,
                settings=meta.settings(),
            ),
            AccountInput(name="brand-x", platform="x", handle="@northwind"),
            AccountInput(name="brand-yt", platform="youtube", handle="northwind-yt"),
        ]
        for data in accounts:
            add_account(s, clock, actor, data)
        grants = [
            (LEAVER, "hoot", "editor", "suite-seat"),
            (LEAVER, "brand-fb", "admin", "platform-role"),
            ("bob@example.com", "brand-fb", "admin", "platform-role"),
            (LEAVER, "brand-x", "login", "shared-login"),
            (LEAVER, "brand-yt", "login", "shared-login"),
            ("cat@example.com", "brand-x", "login", "shared-login"),
        ]
        for email, account, role, via in grants:
            add_grant(s, clock, actor, person_email=email, account_ref=account, role=role, via=via)
    meta.add_user(LEAVER, "Ann Leaver", page_tasks=["MANAGE", "CREATE_CONTENT"])
    meta.add_user("bob@example.com", "Bob Admin", role="ADMIN", page_tasks=["MANAGE"])
    scim_user_id = _scim_user(scim, LEAVER)
    _scim_user(scim, "bob@example.com")
    rebootstrap(app, openbao)
    admin = admin_vault(app, openbao)
    prefix = admin.paths.prefix
    admin.kv.write(f"{prefix}/connectors/accounts/hoot", {"token": scim.token}, cas=0)
    admin.kv.write(f"{prefix}/connectors/accounts/brand-fb", {"token": meta.token}, cas=0)
    vault = open_vault(app)
    with app.begin() as c:
        ann = get_person_record(c, LEAVER)
        for name in ("brand-x", "brand-yt"):
            values = {
                "username": Secret(f"{name}-user"),
                "password": Secret(f"{name}-initial-pw-0"),
            }
            account = get_account_record(c, name)
            set_credential(
                c, clock, vault=vault, account=account, values=LoginValues(values), actor=actor
            )
        enroll(
            c,
            clock,
            vault=vault,
            account=get_account_record(c, "brand-x"),
            actor=LEAVER,
            generate=True,
        )
        set_user_password(
            c, clock, vault=vault, person=ann, password=Secret(ANN_PASSWORD), actor=actor
        )
        sync(c, clock, vault=vault, actor=actor)
        brand_yt = get_account_record(c, "brand-yt")
        reveal(c, clock, vault=vault, account=brand_yt, person=ann, reason="posting", actor=LEAVER)
    login = requests.post(
        f"{openbao.addr}/v1/auth/{app.settings.vault.userpass_mount}/login/{_username(app)}",
        json={"password": ANN_PASSWORD},
        timeout=5,
    )
    assert login.status_code == 200, login.text
    return World(app, openbao, scim, meta, scim_user_id, login.json()["auth"]["client_token"])


def _username(app: App) -> str:
    from accessguard.credentials.records import find_identity

    with app.begin() as c:
        identity = find_identity(c, get_person_record(c, LEAVER).id)
        assert identity is not None
        return identity.username


def token_works(world: World) -> bool:
    """True when the leaver's own Vault token is still accepted."""
    r = requests.get(
        f"{world.openbao.addr}/v1/auth/token/lookup-self",
        headers={"X-Vault-Token": world.ann_token},
        timeout=5,
    )
    return r.status_code == 200


def scim_active(world: World) -> bool:
    """Whether the leaver's SCIM user is active on the server."""
    r = requests.get(
        f"{world.scim.url}/Users/{world.scim_user_id}", headers=scim_headers(world.scim), timeout=5
    )
    return r.status_code == 200 and bool(r.json().get("active"))


def vault_versions(world: World) -> dict[str, int]:
    """Current KV version of every shared login (read with the root token)."""
    admin = admin_vault(world.app, world.openbao)
    out = {}
    for name in ("brand-x", "brand-yt"):
        meta = admin.kv.metadata(admin.paths.secret(name))
        out[name] = meta.current_version if meta else 0
    return out


def end_state(world: World) -> dict[str, Any]:
    """Everything an offboarding changes, without ids that differ between worlds."""
    grant, person, account = tables.grants.c, tables.people.c, tables.accounts.c
    run_item, credentials = tables.run_items.c, tables.credentials.c
    with world.app.begin() as s:
        grants = sorted(
            (
                g.email,
                g.name,
                g.role,
                g.via,
                g.revoked_at is not None,
                g.revoke_reason,
                g.revoked_run_id is not None,
            )
            for g in s.execute(
                select(
                    person.email,
                    account.name,
                    grant.role,
                    grant.via,
                    grant.revoked_at,
                    grant.revoke_reason,
                    grant.revoked_run_id,
                )
                .join(tables.people, person.id == grant.person_id)
                .join(tables.accounts, account.id == grant.account_id)
            )
        )
        people = sorted(tuple(row) for row in s.execute(select(person.email, person.status)))
        owners = sorted(tuple(row) for row in s.execute(select(account.name, account.owner_id)))
        creds = sorted(
            tuple(row)
            for row in s.execute(
                select(credentials.account_id, credentials.current_version, credentials.state)
            )
        )
        ok = {"changed": "ok", "unchanged": "ok"}
        items = sorted(
            (step_id, item_id, ok.get(status, status))
            for step_id, item_id, status in s.execute(
                select(run_item.step_id, run_item.item_id, run_item.status)
            )
        )
        runs = sorted(s.scalars(select(tables.runs.c.status)))
        rotations = len(find_events(s, action="credential.rotate"))
    return {
        "grants": grants,
        "people": people,
        "owners": owners,
        "credentials": creds,
        "items": items,
        "runs": runs,
        "vault": vault_versions(world),
        "scim_active": scim_active(world),
        "meta_business": sorted(world.meta.business_emails()),
        "meta_page": sorted(world.meta.page_emails()),
        "token_works": token_works(world),
        "rotation_events": rotations,
    }


def invoke(app: App, *args: str, input: str | None = None) -> Result:
    """Run the CLI in-process against the app's database."""
    return CliRunner().invoke(
        cli, ["--db", app.settings.database_url, *args], input=input, catch_exceptions=False
    )


def invoke_json(app: App, *args: str) -> tuple[int, Any]:
    """Run a ``--json`` command; returns (exit code, parsed stdout)."""
    result = invoke(app, *args, "--json")
    try:
        return result.exit_code, json.loads(result.stdout)
    except ValueError:
        raise AssertionError(
            f"not JSON (exit {result.exit_code}): {result.stdout!r} {result.stderr!r}"
        ) from None


def cli_process(
    app: App,
    *args: str,
    crash_at: str | None = None,
    delay: str | None = None,
    env: dict[str, str] | None = None,
    beat_every: str | None = None,
) -> subprocess.Popen[bytes]:
    """Start the real CLI in a subprocess (same Vault environment, plus ``env``).

    With a crash point (``STEP:ITEM:PHASE``) or a delay (``STEP:SECONDS``) it runs through
    ``support.crashing_cli``, which installs them as run hooks; otherwise as users run it.
    """
    environ = {**os.environ, **(env or {})}
    command = [sys.executable, "-m", "accessguard"]
    if crash_at or delay or beat_every:
        environ["PYTHONPATH"] = os.pathsep.join(
            [str(TESTS), *filter(None, [environ.get("PYTHONPATH")])]
        )
        command = [sys.executable, "-m", "support.crashing_cli"]
        command += ["--crash-at", crash_at] if crash_at else []
        command += ["--delay", delay] if delay else []
        command += ["--beat-every", beat_every] if beat_every else []
        command.append("--")
    return subprocess.Popen(
        [*command, "--db", app.settings.database_url, *args],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
