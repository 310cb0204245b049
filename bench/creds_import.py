"""`creds import` of a 60-login export against 60 `creds set` commands (the way in before it).

Run alone with ``python -m bench.creds_import`` (prints the rows), or as the
``creds-import`` case of ``make bench``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import uuid
from pathlib import Path

from bench.measure import run_once
from bench.run import DATA, CaseResult
from bench.world import _app

COUNT = 60
AG = str(Path(sys.executable).parent / "accessguard")


def _env(**extra: str) -> dict[str, str]:
    """The environment of a CLI process: none of the caller's Vault or accessguard settings;
    step-up off in its config file (both ways would ask for it alike; the bench has no
    operator to answer)."""
    home = DATA / "import-home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("[offboarding]\nstep_up = false\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "ACCESSGUARD_"))}
    return {**env, "ACCESSGUARD_HOME": str(home), **extra}


def _seed(i: int) -> str:
    """A made-up base32 TOTP seed of 160 bits, one per login (never a real one)."""
    return "JBSWY3DPEHPK3PXPJBSWY3DPEHPK" + "ABCDEFGH"[i % 8] + "QRSTUVWX"[i // 8 % 8] + "XQ"


def _world(db: Path, *, addr: str, token: str) -> dict[str, str]:
    """``COUNT`` accounts on x with no login stored yet; the CLI's environment."""
    from accessguard.credentials.vault_setup import bootstrap_vault
    from accessguard.inventory.accounts import AccountInput, add_account
    from accessguard.secret import Secret
    from accessguard.vault.facade import open_vault

    prefix = f"i{uuid.uuid4().hex[:8]}"
    app = _app(db, addr, token, prefix)
    vault = open_vault(app, token=Secret(token))
    with app.begin() as conn:
        for i in range(COUNT):
            add_account(conn, app.clock, "bench", AccountInput(f"x-{i:04d}", "x", f"@brand{i}"))
        bootstrap_vault(conn, app.clock, vault=vault, actor="bench")
    vault.close()
    app.engine.dispose()
    return {"VAULT_ADDR": addr, "VAULT_TOKEN": token, "ACCESSGUARD_VAULT_PREFIX": prefix}


def _export(path: Path, *, totp: bool) -> Path:
    """A Bitwarden JSON export of ``COUNT`` logins (0600), named as the accounts are."""
    items = [
        {
            "type": 1,
            "name": f"x-{i:04d}",
            "login": {
                "uris": [{"uri": "https://x.com/login"}],
                "username": f"brand{i}",
                "password": f"bench-{uuid.uuid4().hex}",
                "totp": _seed(i) if totp else None,
            },
        }
        for i in range(COUNT)
    ]
    path.write_text(json.dumps({"encrypted": False, "items": items}))
    path.chmod(0o600)
    return path


def _fmt(seconds: float) -> str:
    return f"{seconds:.2f} s"


def creds_import(args: argparse.Namespace) -> CaseResult:
    """60 logins into Vault custody: one `creds import` against 60 `creds set` processes."""
    from support.servers import openbao_server

    runs = 1 if args.quick else 3
    one_by_one: list[float] = []
    imported: list[float] = []
    with_seeds: list[float] = []
    with openbao_server() as bao:
        for i in range(runs + 1):  # the first round warms caches and is not counted
            times = []
            for kind in ("set", "import", "seeds"):
                db = DATA / f"import-{kind}.db"
                db.unlink(missing_ok=True)
                env = _env(**_world(db, addr=bao.addr, token=bao.token))
                base = [AG, "--db", f"sqlite:///{db}", "--actor", "bench@example.com", "creds"]
                if kind == "set":
                    total = 0.0
                    for n in range(COUNT):
                        login = {"username": f"brand{n}", "password": f"bench-{uuid.uuid4().hex}"}
                        seconds, _ = run_once(
                            [*base, "set", f"x-{n:04d}"], env=env, stdin=json.dumps(login).encode()
                        )
                        total += seconds
                    times.append(total)
                else:
                    export = _export(DATA / f"export-{kind}.json", totp=kind == "seeds")
                    argv = [*base, "import", str(export), "--from", "bitwarden", "--yes"]
                    times.append(run_once(argv, env=env)[0])
                    export.unlink()
                db.unlink(missing_ok=True)
            if i:
                one_by_one.append(times[0])
                imported.append(times[1])
                with_seeds.append(times[2])
    base_s, imp, seeds = (statistics.median(t) for t in (one_by_one, imported, with_seeds))
    result = CaseResult(f"Moving in: {COUNT} shared logins into Vault (OpenBao)")
    result.rows.append(
        (f"{COUNT} x `creds set`, one process each (baseline)", _fmt(base_s), "1.00", "-")
    )
    result.rows.append(
        (
            f"`creds import` of a {COUNT}-login Bitwarden export",
            _fmt(imp),
            f"{imp / base_s:.3f}",
            f"<= 0.25 ({'met' if imp / base_s <= 0.25 else 'missed'})",
        )
    )
    result.rows.append(
        (
            f"`creds import`, {COUNT} logins and {COUNT} TOTP seeds",
            _fmt(seeds),
            f"{seeds / base_s:.3f}",
            "-",
        )
    )
    result.passed = imp / base_s <= 0.25
    result.notes.append(
        f"Each round gets a fresh SQLite inventory of {COUNT} accounts and a fresh Vault prefix; "
        "both ways store a username and a password per account as a new Vault version with "
        "check-and-set, its metadata, the credential version and an audit event. The import "
        "also reads and validates the whole file first (all or nothing)."
    )
    result.notes.append(
        f"Medians of {runs} counted round(s) after one warm-up round. The `creds set` time "
        "is the sum of its processes: mostly Python start-up and imports, once per login."
    )
    return result


def main() -> None:
    """Run the case alone and print its rows."""
    parser = argparse.ArgumentParser(description="creds import against creds set")
    parser.add_argument("--quick", action="store_true")
    DATA.mkdir(parents=True, exist_ok=True)
    result = creds_import(parser.parse_args())
    print(f"## {result.name}")
    for row in result.rows:
        print(f"| {' | '.join(row)} |")
    for note in result.notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
