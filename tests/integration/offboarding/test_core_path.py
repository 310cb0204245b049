"""The offboarding path runs on Core statements: a run of its steps never loads the ORM."""

from __future__ import annotations

import json
from pathlib import Path

from support.imports import loads_the_orm, run_cli_importing
from support.offboarding import LEAVER, World, end_state, token_works

#: The standard playbook without handover, ownership transfer, platform revocation and
#: 2FA re-enrolment: the shared-login path, run in a process whose imports are recorded.
CORE_STEPS = """\
name: core-steps
description: The steps an offboarding of shared logins runs.
steps:
  - {id: mark-leaving, action: mark-leaving}
  - {id: revoke-vault-access, action: revoke-vault-access}
  - {id: end-grants, action: end-grants, for_each: grants, args: {reason: left}}
  - id: rotate-shared-logins
    action: rotate-credential
    for_each: exposed_credentials
    on_failure: continue
  - {id: mark-departed, action: mark-departed}
  - {id: notify-security, action: notify, args: {channel: slack}}
"""


def test_offboarding_on_core_statements_never_imports_the_orm(world: World, tmp_path: Path) -> None:
    book = tmp_path / "core-steps.yaml"
    book.write_text(CORE_STEPS)
    before = end_state(world)
    args = ["offboard", LEAVER, "--playbook", str(book), "--yes", "--json", "--force"]
    run = run_cli_importing("--db", world.app.settings.database_url, *args)
    assert run.returncode == 5, run.stderr
    summary = json.loads(run.stdout)["run"]
    assert summary["status"] == "waiting" and summary["counts"]["waiting"] == 3, summary
    assert "sqlalchemy.engine" in run.imported
    assert not loads_the_orm(run)
    after = end_state(world)
    assert after["vault"] == {"brand-x": 2, "brand-yt": 2} != before["vault"]
    assert (LEAVER, "departed") in after["people"]
    assert all(g[4] and g[5] == "left" for g in after["grants"] if g[0] == LEAVER)
    assert not token_works(world)
