"""The benchmark cases: start-up, reports, rotation, mass offboarding."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from bench.measure import Measurement, measure
from bench.run import DATA, CaseResult

BIN = Path(sys.executable).parent
AG = str(BIN / "accessguard")


def _fmt(m: Measurement) -> str:
    return f"{m.median_s * 1000:.0f} ms" if m.median_s < 10 else f"{m.median_s:.1f} s"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "ACCESSGUARD_"))}
    env["ACCESSGUARD_HOME"] = str(DATA / "home")
    env.update(extra)
    return env


def _big_sqlite(args: argparse.Namespace) -> str:
    from bench.generate import generate

    size = "quick" if args.quick else "full"
    path = DATA / f"inventory-{size}.db"
    if not path.exists():
        people, accounts, grants = (
            (2_000, 100, 20_000) if args.quick else (100_000, 5_000, 1_000_000)
        )
        generate(f"sqlite:///{path}", people=people, accounts=accounts, grants=grants)
    return f"sqlite:///{path}"


def startup(args: argparse.Namespace) -> CaseResult:
    """`accessguard --help` and `who-has` against `python -c "import click"`."""
    runs = 5 if args.quick else 15
    env = _env()
    base = measure(
        'python -c "import click"', [sys.executable, "-c", "import click"], runs=runs, env=env
    )
    helpm = measure("accessguard --help", [AG, "--help"], runs=runs, env=env)
    url = _big_sqlite(args)
    who = measure(
        "accessguard who-has ACCOUNT --json",
        [AG, "--db", url, "who-has", "acct-00001", "--json"],
        runs=runs,
        env=env,
    )
    result = CaseResult("Start-up")
    result.rows.append(('python -c "import click" (baseline)', _fmt(base), "1.00", "-"))
    ratio = helpm.ratio_to(base)
    result.rows.append(("accessguard --help", _fmt(helpm), f"{ratio:.2f}", "<= 2x"))
    result.rows.append(
        (
            "accessguard who-has ACCOUNT --json (1M grants)",
            _fmt(who),
            f"{who.ratio_to(base):.2f}",
            "-",
        )
    )
    result.passed = ratio <= 2.0
    return result


CASES: dict[str, Callable[[argparse.Namespace], CaseResult]] = {
    "startup": startup,
}
