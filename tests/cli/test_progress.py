"""The offboarding progress: a live bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import io
import re

import pytest

from accessguard.cli.offboard import progress
from accessguard.playbooks.run_report import RunEvent
from accessguard.playbooks.status import ItemStatus, StepStatus


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


EVENTS = [
    RunEvent("step", "end-grants", "", "End every grant", StepStatus.RUNNING, total=2),
    RunEvent(
        "item", "end-grants", "grant-1", "brand-x: editor", ItemStatus.CHANGED, "ended editor", 2
    ),
    RunEvent("item", "rotate", "credential-7", "brand-y", ItemStatus.WAITING, "change it on x", 2),
]


def test_a_terminal_gets_a_bar_and_a_line_per_item(monkeypatch: pytest.MonkeyPatch) -> None:
    err = _Terminal()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setenv("TERM", "xterm-256color")  # a colour terminal, wherever the tests run
    monkeypatch.delenv("NO_COLOR", raising=False)
    with progress(total=2) as sink:
        for event in EVENTS:
            sink(event)
    raw = err.getvalue()
    assert "\x1b[32mchanged" in raw and "\x1b[33mwaiting" in raw  # coloured statuses
    out = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw)
    assert "changed end-grants grant-1: ended editor" in out
    assert "waiting rotate credential-7: change it on x" in out
    assert "end-grants" in out and "2/2" in out  # the bar named the step and counted both


def test_anything_else_gets_plain_lines(capsys: pytest.CaptureFixture[str]) -> None:
    with progress(total=2) as sink:
        for event in EVENTS:
            sink(event)
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "step end-grants: End every grant",
        "  [changed] end-grants grant-1: ended editor",
        "  [waiting] rotate credential-7: change it on x",
    ]
