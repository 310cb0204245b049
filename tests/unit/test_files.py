"""Private files: created 0600, existing ones tightened, devices left alone."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from accessguard.files import open_private, write_private


def test_created_and_tightened(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "out.txt"
    write_private(path, "x")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)
    with open_private(path, append=True) as handle:
        handle.write("y")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "xy"


def test_device_mode_untouched() -> None:
    before = stat.S_IMODE(os.stat("/dev/null").st_mode)
    with open_private(Path("/dev/null")) as handle:
        handle.write("discarded")
    assert stat.S_IMODE(os.stat("/dev/null").st_mode) == before
