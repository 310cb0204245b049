"""A reader that goes away (`| head`) stops the tool quietly: exit 141, nothing on stderr."""

from __future__ import annotations

import os

import pytest

from accessguard.cli.main import run_guarded


def test_broken_pipe_exits_quietly(capfd: pytest.CaptureFixture[str]) -> None:
    saved = os.dup(1)  # run_guarded points stdout at /dev/null: keep the real one

    def write_to_gone_reader() -> None:
        raise BrokenPipeError(32, "Broken pipe")

    try:
        with pytest.raises(SystemExit) as exc:
            run_guarded(write_to_gone_reader)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    assert exc.value.code == 141
    captured = capfd.readouterr()
    assert captured.err == ""
