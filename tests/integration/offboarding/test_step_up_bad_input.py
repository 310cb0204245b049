"""A mistake in what a secret-writing command reads never spends the step-up code.

A code is accepted once (then refused as replayed) and a new one comes every 30 seconds:
``creds set`` with an empty or malformed stdin must stop on the input, before step-up,
so the operator retries at once with the same code (against OpenBao).
"""

from __future__ import annotations

import json

from support.offboarding import World, invoke
from support.stepup import audit_actions, current_code, enrolled, step_up_config


def test_bad_login_input_leaves_the_step_up_code_unspent(world: World, monkeypatch) -> None:
    step_up_config(on=True)
    monkeypatch.delenv("ACCESSGUARD_STEP_UP_CODE", raising=False)
    _, key, _ = enrolled(world, monkeypatch)
    code = current_code(world, key)
    for stdin in ("", '{"username": "northwind"'):
        bad = invoke(world.app, "creds", "set", "brand-x", "--step-up-code", code, input=stdin)
        assert bad.exit_code == 2, bad.stderr
        assert bad.stderr.startswith("error: "), bad.stderr
        assert "step-up" not in bad.stderr
    assert "stepup.passed" not in audit_actions(world.app, "stepup.")
    login = json.dumps({"username": "northwind", "password": "a-new-password-1"})
    ok = invoke(world.app, "creds", "set", "brand-x", "--step-up-code", code, input=login)
    assert ok.exit_code == 0, ok.stderr
