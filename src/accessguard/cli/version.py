"""``accessguard --version``: the version, and with ``-v`` what it runs on (for bug reports)."""

from __future__ import annotations

import platform
from importlib import metadata

from accessguard import __version__

#: The libraries whose versions matter when something goes wrong, as their packages are named.
LIBRARIES = ("hvac", "SQLAlchemy", "alembic", "click", "requests")


def versions(*, verbose: bool) -> list[str]:
    """``accessguard X``; with ``verbose`` a line per library and one for Python.

    Read from the installed packages' metadata, so nothing heavy is imported.
    """
    lines = [f"accessguard {__version__}"]
    if not verbose:
        return lines
    for name in LIBRARIES:
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            found = "not installed"
        lines.append(f"{name} {found}")
    lines.append(f"Python {platform.python_version()} ({platform.python_implementation()})")
    return lines
