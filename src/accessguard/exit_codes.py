"""Named process exit codes, shared by every command."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a process exit status means to a scheduler or a script."""

    OK = 0
    ERROR = 1
    USAGE = 2
    CHANGES_PENDING = 3
    PARTIAL_FAILURE = 4
    WAITING_MANUAL = 5
