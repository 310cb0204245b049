"""`report access --fetch-lockout`: a Google Workspace super admin who has left the company
is a critical finding, matched to the inventory by work email."""

from __future__ import annotations

import json

from accessguard.app import App
from accessguard.config import load_settings
from support import rows
from support.fake_workspace import WorkspaceFake
from support.inventory import invoke
from support.vault import store_token


def test_a_departed_super_admin_is_reported_critical(sqlite_url, clock, openbao, vault_env) -> None:
    app = App(settings=load_settings(overrides={"database.url": sqlite_url}), clock=clock)
    with WorkspaceFake() as fake:
        fake.add_user("Ann@example.com")
        fake.add_user("bob@example.com")
        with app.begin() as conn:
            rows.person(conn, "ann@example.com", status="departed")
            rows.person(conn, "bob@example.com", status="active")
            rows.account(conn, "corp-ws", "google-workspace", settings={"base_url": fake.url})
        store_token(openbao, vault_env, "corp-ws", fake.token)
        result = invoke(sqlite_url, "report", "access", "--format", "json", "--fetch-lockout")
    assert result.exit_code == 0, result.stderr
    found = {
        (f["kind"], f["subject_id"], f["severity"])
        for f in json.loads(result.stdout)["findings"]
        if f["kind"].startswith("workspace-")
    }
    assert found == {("workspace-admin-leaver", "corp-ws/ann@example.com", "critical")}
