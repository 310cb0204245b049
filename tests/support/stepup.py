"""Step-up helpers for tests: an operator's own Vault token, the admin's config file, codes."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from accessguard.app import App
from accessguard.audit.chain import find_events
from accessguard.config import default_config_path
from accessguard.db import tables
from accessguard.playbooks.stepup import enroll, operator_of
from accessguard.secret import Secret
from accessguard.vault.facade import Vault, open_vault
from support.offboarding import World
from support.vault import admin_vault


def operator_token(world: World, monkeypatch: pytest.MonkeyPatch, *policies: str) -> Vault:
    """A Vault token of the tool policy (plus ``policies``) naming ``alice``; set as VAULT_TOKEN."""
    admin = admin_vault(world.app, world.openbao)
    created = admin.write(
        "auth/token/create",
        {
            "policies": [admin.paths.tool_policy(), *policies],
            "display_name": "alice",
            "ttl": "2h",
            "no_default_policy": True,
        },
        what="create an operator token",
    )
    assert created is not None
    token = created["auth"]["client_token"]
    monkeypatch.setenv("VAULT_TOKEN", token)
    return open_vault(world.app, token=Secret(token))


def step_up_config(*, on: bool) -> Path:
    """Switch step-up in the test's config file (``$ACCESSGUARD_HOME``), as an admin would.

    The config file is the only place step-up is switched; the rest of the file (the
    allowed hosts of the test's servers) stays as it is.
    """
    path = default_config_path()
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    line = f"step_up = {'true' if on else 'false'}"
    if re.search(r"(?m)^step_up\s*=", text):
        text = re.sub(r"(?m)^step_up\s*=.*$", line, text)
    else:
        text += f"\n[offboarding]\n{line}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def enrolled(world: World, monkeypatch: pytest.MonkeyPatch) -> tuple[Vault, str, Secret]:
    """Alice's token and step-up key; her seed's otpauth URI (an admin enrols her, shown once)."""
    vault = operator_token(world, monkeypatch)
    uri = enroll(world.app, admin_vault(world.app, world.openbao), operator_of(vault))
    return vault, vault.paths.operator_totp_key("token-alice"), uri


def current_code(world: World, key: str) -> str:
    """The current code, as the operator's authenticator shows it (an admin asks Vault here)."""
    return admin_vault(world.app, world.openbao).totp.code(key).reveal()


def wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def seed_of(uri: Secret) -> str:
    return uri.reveal().split("secret=")[1].split("&")[0]


def run_count(app: App) -> int:
    with app.begin() as conn:
        return len(conn.execute(select(tables.runs.c.id)).all())


def audit_actions(app: App, prefix: str) -> list[str]:
    with app.begin() as conn:
        return [e.action for e in find_events(conn) if e.action.startswith(prefix)]


def next_code(uri: Secret) -> str:
    """The code of the next period (Vault accepts one period of skew): a second fresh code."""
    return pyotp.TOTP(seed_of(uri)).at(time.time() + 30)
