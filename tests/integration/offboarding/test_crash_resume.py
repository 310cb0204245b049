"""Kill the offboarding process (SIGKILL) at step boundaries and inside items, resume, compare.

The end state (database grants and run items, Vault versions, SCIM server, Meta fake,
the leaver's Vault token) must equal that of a run that was never interrupted, and no
credential may be rotated twice.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from accessguard.app import App
from accessguard.clock import FixedClock
from accessguard.config import load_settings
from accessguard.db.engine import make_engine
from accessguard.db.migrate import upgrade
from support.fake_meta import MetaFake
from support.offboarding import LEAVER, World, build_world, cli_process, end_state
from support.servers import scim_server
from support.vault import vault_app

CRASH_POINTS = [
    "mark-leaving:subject:before",
    "handover::start",
    "transfer-ownership:account-2:after",
    "revoke-platform-access::start",
    "revoke-platform-access:grant-1:after",
    "revoke-platform-access:grant-2:before",
    "revoke-vault-access:subject:inside",
    "end-grants:grant-4:after",
    "rotate-shared-logins::start",
    "rotate-shared-logins:credential-1:inside",
    "rotate-shared-logins:credential-2:after",
    "reenrol-2fa:account-3:inside",
    "mark-departed::start",
    "notify-security:subject:recorded",
]

_baseline: dict[str, Any] = {}


@contextmanager
def fresh_world(tmp: Path, openbao: Any, clock: FixedClock) -> Iterator[World]:
    url = f"sqlite:///{tmp / 'crash.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = App(settings=load_settings(overrides={"database.url": url}), clock=clock)
    with pytest.MonkeyPatch.context() as mp, scim_server() as scim, MetaFake() as meta:
        yield build_world(vault_app(app, openbao, mp), openbao, scim, meta)
    app.engine.dispose()


def offboard(world: World, crash_at: str | None = None, env: dict[str, str] | None = None) -> int:
    proc = cli_process(
        world.app, "offboard", LEAVER, "--yes", "--concurrency", "3", crash_at=crash_at, env=env
    )
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode in (-signal.SIGKILL, 5), (proc.returncode, err.decode()[-2000:])
    return proc.returncode


def baseline(
    tmp_path_factory: pytest.TempPathFactory, openbao: Any, clock: FixedClock
) -> dict[str, Any]:
    if not _baseline:
        with fresh_world(tmp_path_factory.mktemp("baseline"), openbao, clock) as world:
            assert offboard(world) == 5
            _baseline.update(end_state(world))
    return _baseline


@pytest.mark.slow
@pytest.mark.parametrize("crash_at", CRASH_POINTS)
def test_killed_run_resumes_to_the_same_end_state(
    crash_at: str, tmp_path, tmp_path_factory, openbao, clock
) -> None:
    expected = baseline(tmp_path_factory, openbao, clock)
    assert expected["vault"] == {"brand-x": 2, "brand-yt": 2} and expected["rotation_events"] == 2
    with fresh_world(tmp_path, openbao, clock) as world:
        assert offboard(world, crash_at) == -signal.SIGKILL, f"crash point {crash_at} never reached"
        runs = cli_process(world.app, "runs", "list", "--json")
        out, _ = runs.communicate(timeout=60)
        import json

        run_id = json.loads(out)[0]["id"]
        resumed = cli_process(world.app, "runs", "resume", run_id)
        _, err = resumed.communicate(timeout=120)
        assert resumed.returncode == 5, err.decode()[-2000:]
        assert end_state(world) == expected


@pytest.mark.slow
def test_a_crash_point_in_the_environment_changes_nothing(
    tmp_path, tmp_path_factory, openbao, clock
) -> None:
    """Crash points are hooks the tests install; a user's environment cannot set one."""
    expected = baseline(tmp_path_factory, openbao, clock)
    with fresh_world(tmp_path, openbao, clock) as world:
        env = {
            "ACCESSGUARD_TEST_CRASH_AT": "mark-leaving:subject:before",
            "ACCESSGUARD_TEST_ITEM_DELAY": "rotate-shared-logins:600",
        }
        assert offboard(world, env=env) == 5
        assert end_state(world) == expected
