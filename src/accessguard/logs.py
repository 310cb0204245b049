"""Logging set-up: every handler carries the redacting filter; log files are created 0600."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from accessguard.secret import RedactingFilter

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(*, log_file: Path | None = None, verbose: bool = False) -> None:
    """Warnings to stderr (info with ``verbose``); everything at INFO to ``log_file`` if given."""
    root = logging.getLogger("accessguard")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    stderr = logging.StreamHandler()
    stderr.setLevel(logging.INFO if verbose else logging.WARNING)
    stderr.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    stderr.addFilter(RedactingFilter())
    root.addHandler(stderr)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.close(fd)
        os.chmod(log_file, 0o600)
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
    root.propagate = False
