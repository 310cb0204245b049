"""Files the tool writes (config, exports, reports, logs) are private: created 0600.

Only regular files are tightened, so writing to ``/dev/null`` or a pipe never changes
a device's permissions.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TextIO


def open_private(path: Path, *, append: bool = False, newline: str | None = None) -> TextIO:
    """Open ``path`` for writing, created 0600; an existing regular file is tightened to 0600."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fchmod(fd, 0o600)
        return open(fd, "a" if append else "w", encoding="utf-8", newline=newline)
    except BaseException:
        os.close(fd)
        raise


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (0600)."""
    with open_private(path) as handle:
        handle.write(text)
