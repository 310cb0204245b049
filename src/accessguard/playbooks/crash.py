"""TEST-ONLY crash points: kill this process at a named point of a run (SIGKILL, no clean-up).

Set ``ACCESSGUARD_TEST_CRASH_AT=STEP:ITEM:PHASE`` to kill the process when the runner
reaches that point; the reliability tests use it to prove that a run killed anywhere
resumes to the same end state. Phases: ``start`` and ``end`` of a step (ITEM empty:
``revoke-vault-access::start``); for an item, ``before`` (intent recorded, nothing
done), ``inside`` (side effect done, the action's own transaction not committed),
``after`` (action committed, outcome not recorded) and ``recorded``. Never set it in
production: it exists only so the tests can pull the plug at an exact instant.

``ACCESSGUARD_TEST_ITEM_DELAY=STEP:SECONDS`` (also test-only) makes every item of that
step wait before it acts, so a test can break something (kill the Vault leader) while a
step is surely half done.
"""

from __future__ import annotations

import os
import signal
import time

CRASH_ENV = "ACCESSGUARD_TEST_CRASH_AT"
DELAY_ENV = "ACCESSGUARD_TEST_ITEM_DELAY"


def crash_point(step_id: str, item_id: str, phase: str) -> None:
    """SIGKILL this process if the test hook names this exact point."""
    target = os.environ.get(CRASH_ENV)
    if target and target == f"{step_id}:{item_id}:{phase}":
        os.kill(os.getpid(), signal.SIGKILL)


def delay_point(step_id: str) -> None:
    """Sleep before an item of ``step_id`` acts, if the test hook names that step."""
    target = os.environ.get(DELAY_ENV)
    if target and target.rpartition(":")[0] == step_id:
        time.sleep(float(target.rpartition(":")[2]))
