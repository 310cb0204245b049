"""The offboarding path runs on Core statements: a run of its steps never loads the ORM."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support.offboarding import LEAVER, World, end_state, token_works

#: The standard playbook without the steps that edit accounts through the models
#: (handover, ownership transfer, platform revocation, 2FA re-enrolment).
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
    cli = [sys.executable, "-X", "importtime", "-m", "accessguard"]
    args = ["offboard", LEAVER, "--playbook", str(book), "--yes", "--json", "--force"]
    proc = subprocess.run(
        [*cli, "--db", world.app.settings.database_url, *args],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = proc.stderr.splitlines()
    said = [line for line in lines if not line.startswith("import time:")]
    assert proc.returncode == 5, said
    run = json.loads(proc.stdout)["run"]
    assert run["status"] == "waiting" and run["counts"]["waiting"] == 3, run["counts"]
    imported = {line.rsplit("|", 1)[-1].strip() for line in lines if line not in said}
    assert "sqlalchemy.engine" in imported  # -X importtime reported the imports
    assert "sqlalchemy.orm" not in imported
    assert not any(name.endswith(".models") for name in imported if "accessguard" in name)
    after = end_state(world)
    assert after["vault"] == {"brand-x": 2, "brand-yt": 2} != before["vault"]
    assert (LEAVER, "departed") in after["people"]
    assert all(g[4] and g[5] == "left" for g in after["grants"] if g[0] == LEAVER)
    assert not token_works(world)
