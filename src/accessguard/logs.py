"""Logging set-up: every handler carries the redacting filter; log files are created 0600.

A playbook run logs each step and item outcome (``playbooks/runner.py``) at INFO: the log
file keeps them all; stderr leaves them to the command's own progress lines, which
already show them, and shows the rest of INFO with ``--verbose``.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from accessguard.files import open_private
from accessguard.secret import RedactingFilter

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: Log file times as every output writes them: ISO 8601 UTC, seconds, ``Z``.
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class _UTCFormatter(logging.Formatter):
    """``FORMAT`` with UTC times (a server's local zone would make lines ambiguous)."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """The record's time in UTC (``datefmt``, else ``TIME_FORMAT``)."""
        return time.strftime(datefmt or TIME_FORMAT, time.gmtime(record.created))


#: The engine's logger: a line per step and per item outcome of every run.
RUN_LOGGER = "accessguard.playbooks.runner"


def _not_run_progress(record: logging.LogRecord) -> bool:
    """Keep a record off stderr when it is run progress the command prints itself."""
    return record.name != RUN_LOGGER or record.levelno >= logging.WARNING


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
    stderr.addFilter(_not_run_progress)
    root.addHandler(stderr)
    if log_file is not None:
        handler = logging.StreamHandler(open_private(log_file, append=True, folders=False))
        handler.setFormatter(_UTCFormatter(FORMAT, datefmt=TIME_FORMAT))
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
    root.propagate = False
