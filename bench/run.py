"""Run every benchmark and write bench/RESULTS.md (``make bench``).

Each case is measured against a baseline in the same run: the median of several runs,
and the ratio to the baseline, with the target it is checked against.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
RESULTS = ROOT / "bench" / "RESULTS.md"
sys.path.insert(0, str(ROOT / "tests"))


@dataclass
class CaseResult:
    """Rows of one case for the results table, plus notes."""

    name: str
    rows: list[tuple[str, str, str, str]] = field(
        default_factory=list
    )  # what, median, ratio, target
    notes: list[str] = field(default_factory=list)
    passed: bool | None = True  # None: the case has no target, only figures


def _versions() -> list[str]:
    from importlib.metadata import version

    lines = [
        f"{name} {version(name)}"
        for name in ("accessguard", "sqlalchemy", "hvac", "click", "requests", "psycopg")
    ]
    lines.insert(1, f"Python {platform.python_version()}")
    for cmd in (["bao", "version"], ["sqlite3", "--version"], ["psql", "--version"]):
        exe = Path(sys.executable).parent / cmd[0]
        argv = [str(exe), *cmd[1:]] if exe.exists() else cmd
        try:
            out = subprocess.run(
                argv, capture_output=True, text=True, timeout=20, check=False
            ).stdout.strip()
            first = out.splitlines()[0] if out else "?"
            lines.append(
                first if first.lower().startswith((cmd[0], "openbao")) else f"{cmd[0]} {first}"
            )
        except OSError:
            lines.append(f"{cmd[0]}: not installed")
    return lines


def _machine() -> list[str]:
    import os

    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            mem = fh.readline().split(":")[1].strip()
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return [
        f"{os.cpu_count()} cores, {cpu}",
        f"memory {mem}",
        f"{platform.system()} {platform.release()}",
    ]


def write_results(results: list[CaseResult]) -> None:
    """Write RESULTS.md."""
    out = [
        "# Benchmark results",
        "",
        f"Produced by `make bench` on {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}.",
        "",
        "## Machine and versions",
        "",
        *[f"- {line}" for line in _machine() + _versions()],
        "",
    ]
    for case in results:
        verdict = {True: "meets target", False: "MISSES target", None: "figures only"}[case.passed]
        out += [f"## {case.name} — {verdict}", ""]
        out += ["| what | median | ratio to baseline | target |", "| --- | --- | --- | --- |"]
        out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in case.rows]
        out += [""] + [f"- {note}" for note in case.notes] + [""]
    RESULTS.write_text("\n".join(out))


def main() -> None:
    """Run the selected cases (all by default)."""
    from bench import cases

    available: dict[str, Callable[[argparse.Namespace], CaseResult]] = cases.CASES
    parser = argparse.ArgumentParser(description="Run accessguard benchmarks")
    parser.add_argument("--only", nargs="*", choices=sorted(available), help="cases to run")
    parser.add_argument(
        "--quick", action="store_true", help="smaller data, fewer runs (smoke test)"
    )
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    results = []
    for name in args.only or list(available):
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        result = available[name](args)
        results.append(result)
        for row in result.rows:
            print(f"  {row[0]}: {row[1]} (ratio {row[2]}, target {row[3]})", file=sys.stderr)
    write_results(results)
    print(f"wrote {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
