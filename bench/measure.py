"""Timing helpers: run a command several times, keep the median wall time and peak RSS."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    """Median seconds over ``runs`` and the largest peak RSS seen (MiB)."""

    label: str
    median_s: float
    runs: int
    peak_rss_mib: float

    def ratio_to(self, baseline: Measurement) -> float:
        """How many times slower than ``baseline`` (below 1 is faster)."""
        return self.median_s / baseline.median_s if baseline.median_s else float("inf")


def run_once(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    shell: bool = False,
    ok_codes: tuple[int, ...] = (0,),
) -> tuple[float, float]:
    """Run one process to completion; returns (seconds, peak RSS MiB). Fails on other exit codes."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv if not shell else argv[0],
        shell=shell,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(env) if env is not None else None,
    )
    if stdin is not None and proc.stdin:
        proc.stdin.write(stdin)
        proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in ok_codes:
        raise RuntimeError(f"{argv!r} exited {proc.returncode}: {err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def measure(
    label: str,
    argv: Sequence[str],
    *,
    runs: int = 5,
    env: Mapping[str, str] | None = None,
    shell: bool = False,
) -> Measurement:
    """Median of ``runs`` executions of ``argv`` (after one warm-up run)."""
    run_once(argv, env=env, shell=shell)
    times: list[float] = []
    peak = 0.0
    for _ in range(runs):
        seconds, rss = run_once(argv, env=env, shell=shell)
        times.append(seconds)
        peak = max(peak, rss)
    return Measurement(label, statistics.median(times), runs, peak)
