"""``--log-file`` keeps a line for every step and item outcome of a run, not one for the run.

The log is what an admin reads the morning after a scheduled ``leavers run``; stderr keeps
the command's own progress lines once (no ``INFO:`` copy of each with ``-v``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.small_run import build_inventory, offboard_ann


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The root command configures the ``accessguard`` logger; put it back afterwards."""
    yield
    root = logging.getLogger("accessguard")
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()


@pytest.fixture(params=[["-v"], []], ids=["verbose", "quiet-stderr"])
def logged(
    sqlite_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> tuple[str, list[str], str]:
    """Ann offboarded with ``--log-file`` (and ``-v`` or not): (run id, log messages, stderr)."""
    build_inventory(sqlite_url)
    log = tmp_path / "run.log"
    run_id, result = offboard_ann(sqlite_url, tmp_path, *request.param, "--log-file", str(log))
    messages = [line.split(": ", 1)[1] for line in log.read_text().splitlines()]
    return run_id, messages, result.stderr


def test_every_item_outcome_is_a_log_line(logged: tuple[str, list[str], str]) -> None:
    run_id, messages, _ = logged
    items = [m for m in messages if m.startswith(f"run {run_id}: end-grants grant-")]
    assert sorted(items) == [
        f"run {run_id}: end-grants grant-1 changed: ended editor on nw-x",
        f"run {run_id}: end-grants grant-2 changed: ended editor on nw-instagram",
    ]


def test_every_step_starts_and_ends_in_the_log(logged: tuple[str, list[str], str]) -> None:
    run_id, messages, _ = logged
    ends = [m for m in messages if m.startswith(f"run {run_id}: step ") and "started" not in m]
    assert ends == [
        f"run {run_id}: step mark-leaving done",
        f"run {run_id}: step end-grants done",
        f"run {run_id}: step mark-departed done",
    ]


def test_the_run_outcome_ends_the_log(logged: tuple[str, list[str], str]) -> None:
    run_id, messages, _ = logged
    assert messages[-1] == f"run {run_id}: completed (4 changed)"


def test_stderr_shows_each_item_once(logged: tuple[str, list[str], str]) -> None:
    _, _, stderr = logged
    assert stderr.count("ended editor on nw-x") == 1


def test_log_lines_start_with_a_utc_timestamp(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import calendar
    import re
    import time

    monkeypatch.setenv("TZ", "America/New_York")  # a server's local zone never shows
    time.tzset()
    try:
        build_inventory(sqlite_url)
        log = tmp_path / "run.log"
        offboard_ann(sqlite_url, tmp_path, "--log-file", str(log))
        lines = log.read_text().splitlines()
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert lines
    stamp = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z) INFO ")
    now = time.time()
    for line in lines:
        match = stamp.match(line)
        assert match, line
        written = calendar.timegm(time.strptime(match[1], "%Y-%m-%dT%H:%M:%SZ"))
        assert abs(written - now) < 600, line
