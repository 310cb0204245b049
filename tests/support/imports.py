"""Run the CLI in a fresh process and see which modules it imported (``-X importtime``)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class CliRun:
    """A finished CLI process: exit code, stdout, its stderr without the import lines, and the modules."""

    returncode: int
    stdout: str
    stderr: str
    imported: frozenset[str]


def run_cli_importing(*args: str, timeout: float = 120) -> CliRun:
    """``accessguard ARGS`` in a subprocess (this environment), recording every import."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "accessguard", *args],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    lines = proc.stderr.splitlines()
    timed = [line for line in lines if line.startswith("import time:")]
    said = "\n".join(line for line in lines if not line.startswith("import time:"))
    imported = frozenset(line.rsplit("|", 1)[-1].strip() for line in timed)
    assert "sqlalchemy" in imported or "click" in imported, (
        "no import lines: -X importtime ignored?"
    )
    return CliRun(proc.returncode, proc.stdout, said, imported)


def loads_the_orm(run: CliRun) -> bool:
    """True when the process imported SQLAlchemy's ORM or one of the model modules."""
    return "sqlalchemy.orm" in run.imported or any(
        name.startswith("accessguard.") and name.endswith(".models") for name in run.imported
    )
