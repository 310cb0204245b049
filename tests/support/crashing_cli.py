"""The accessguard CLI with run hooks that kill or slow it at one exact point (tests only).

    python -m support.crashing_cli [--crash-at STEP:ITEM:PHASE] [--delay STEP:SECONDS]
        [--beat-every SECONDS] -- ARGS

``--crash-at`` SIGKILLs the process (no clean-up) when a run reaches that phase of
that item (ITEM empty for a step's ``start`` and ``end``); ``--delay`` makes every item
of STEP wait before it acts, so a test can break something while the step is surely
half done. ``--beat-every`` shortens the lock's heartbeat period so a test can see
a live run beat. The reliability tests start the CLI through this module; the product itself
has no such switch (``accessguard.playbooks.hooks``).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

from accessguard.cli.main import main
from accessguard.playbooks.hooks import Phase, PhaseHook, RunHooks


def crash_and_delay(crash_at: str | None, delay: str | None) -> PhaseHook:
    """A phase hook that kills the process at ``crash_at`` and sleeps before ``delay``'s items act."""
    delay_step, _, seconds = (delay or "").rpartition(":")

    def on_phase(step_id: str, item_id: str, phase: Phase) -> None:
        if delay and phase is Phase.ACT and step_id == delay_step:
            time.sleep(float(seconds))
        if crash_at and crash_at == f"{step_id}:{item_id}:{phase}":
            os.kill(os.getpid(), signal.SIGKILL)

    return on_phase


def run(argv: list[str]) -> None:
    """Parse the hook options, then run the CLI on the arguments after ``--``."""
    parser = argparse.ArgumentParser(prog="crashing_cli")
    parser.add_argument("--crash-at", metavar="STEP:ITEM:PHASE")
    parser.add_argument("--delay", metavar="STEP:SECONDS")
    parser.add_argument("--beat-every", type=float, metavar="SECONDS")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    if options.beat_every:
        from datetime import timedelta

        from accessguard.playbooks import lock

        lock.BEAT_EVERY = timedelta(seconds=options.beat_every)
    args = options.args[1:] if options.args[:1] == ["--"] else options.args
    sys.argv = ["accessguard", *args]
    main(hooks=RunHooks(on_phase=crash_and_delay(options.crash_at, options.delay)))


if __name__ == "__main__":
    run(sys.argv[1:])
