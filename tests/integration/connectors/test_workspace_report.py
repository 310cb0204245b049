"""`report access --fetch-lockout` fetches Workspace super admins (token from OpenBao) and the
report shows their lock-out findings; without a scan there are none."""

from __future__ import annotations

import json

from accessguard.app import App
from accessguard.config import load_settings
from support import rows
from support.fake_workspace import WorkspaceFake
from support.inventory import invoke
from support.vault import store_token


def _kinds(result) -> set[tuple[str, str, str]]:
    assert result.exit_code == 0, result.stderr
    return {
        (f["kind"], f["subject_id"], f["severity"]) for f in json.loads(result.stdout)["findings"]
    }


def test_fetch_lockout_reports_workspace_admins(sqlite_url, clock, openbao, vault_env) -> None:
    app = App(settings=load_settings(overrides={"database.url": sqlite_url}), clock=clock)
    with WorkspaceFake() as fake:
        fake.add_user("ann@example.com", recovery_email="chloe.home@mail.test")
        fake.add_user("bob@example.com", enrolled_2sv=False)
        with app.begin() as conn:
            rows.person(
                conn, "chloe@example.com", status="departed", personal_email="chloe.home@mail.test"
            )
            rows.account(conn, "corp-ws", "google-workspace", settings={"base_url": fake.url})
        store_token(openbao, vault_env, "corp-ws", fake.token)

        before = _kinds(invoke(sqlite_url, "report", "access", "--format", "json"))
        fetched = invoke(sqlite_url, "report", "access", "--format", "json", "--fetch-lockout")

    after = _kinds(fetched)
    assert not {k for k in before if k[1].startswith("corp-ws/")}
    assert ("recovery-leaver", "corp-ws/ann@example.com", "critical") in after
    assert ("workspace-admin-no-2sv", "corp-ws/bob@example.com", "high") in after
    assert fake.token not in fetched.stdout + fetched.stderr
