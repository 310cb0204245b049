"""The whole demo scenario with known canary secrets: none may leak anywhere.

Northwind Outfitters is imported from `examples/`, shared logins get canary passwords,
backup codes and recovery answers, a 2FA seed and the leaver's own Vault password are
canaries too, and so are the Vault tokens, the SCIM connector token and every value
the tool generates (rotated passwords, the re-enrolled 2FA seed). Then: Vault
bootstrap and sync, reveals, the offboarding of Liam with rotations, manual steps
confirmed, reports in every format, the audit log, export and verify, each through the
CLI with `--log-file -v`. No canary may appear in stdout, stderr, the log file, the
SQLite file (bytes and `iterdump`), the audit export or the reports, except where a
command exists to show it (`creds reveal`, `--show-secrets`). Every file the tool
created is 0600.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import requests
from click.testing import CliRunner, Result

from accessguard.app import App
from accessguard.cli.main import cli
from accessguard.config import load_settings
from support.vault import admin_vault, vault_app

EXAMPLES = Path(__file__).parents[3] / "examples"
LEAVER = "liam.murphy@example.com"
SUCCESSOR = "priya.nair@example.com"
CANARIES = {
    "nw-x": {
        "username": "northwind-x",
        "password": "Canary-X-pw-4b1d9e77",
        "backup_codes": ["canary-x-backup-61829", "canary-x-backup-90341"],
        "recovery": "canary-x-recovery-mothers-maiden-7731",
    },
    "nw-youtube": {
        "username": "northwind-yt",
        "password": "Canary-YT-pw-c0ffee42",
        "backup_codes": ["canary-yt-backup-11223"],
        "recovery": "canary-yt-recovery-first-pet-5519",
    },
}
SEED = pyotp.random_base32()
LIAM_VAULT_PASSWORD = "canary-liam-vault-pw-2207"


@dataclass
class Scenario:
    """Runs CLI commands and keeps every output with the secrets it may legitimately show."""

    url: str
    log: Path
    outputs: list[tuple[str, str, frozenset[str]]] = field(default_factory=list)

    def __call__(
        self,
        *args: str,
        input: str | None = None,
        codes: tuple[int, ...] = (0,),
        shows: frozenset[str] = frozenset(),
        env: dict[str, str] | None = None,
    ) -> Result:
        result = CliRunner().invoke(
            cli,
            ["--db", self.url, "--log-file", str(self.log), "-v", *args],
            input=input,
            catch_exceptions=False,
            env=env,
        )
        assert result.exit_code in codes, (args, result.stdout[-2000:], result.stderr[-2000:])
        label = " ".join(args[:3])
        self.outputs.append((f"stdout of {label}", result.stdout, shows))
        self.outputs.append((f"stderr of {label}", result.stderr, shows))
        return result


def _demo_accounts(tmp: Path, scim_url: str) -> Path:
    """examples/accounts.csv pointed at the local SCIM server; Meta and TikTok by hand."""
    with (EXAMPLES / "accounts.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["name"] == "nw-hootsuite":
            row["settings"] = json.dumps(
                {**json.loads(row["settings"] or "{}"), "base_url": scim_url}
            )
        elif row["connector"] in ("meta", "tiktok"):
            row["connector"] = "manual"
    path = tmp / "accounts.csv"
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _scim_user(scim, email: str) -> None:
    response = requests.post(
        f"{scim.url}/Users",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": email,
            "active": True,
        },
        headers={"Authorization": f"Bearer {scim.token}", "Content-Type": "application/scim+json"},
        timeout=5,
    )
    assert response.status_code == 201, response.text


def test_demo_scenario_leaks_no_secret(tmp_path: Path, openbao, scim, monkeypatch) -> None:
    home = Path(os.environ["ACCESSGUARD_HOME"])
    monkeypatch.setenv("ACCESSGUARD_ACTOR", "it-admin@example.com")
    url = f"sqlite:///{home / 'accessguard.db'}"
    out = tmp_path / "out"
    out.mkdir()  # --out and --log-file write into a folder that exists
    run = Scenario(url, out / "accessguard.log")

    run("init")
    app = vault_app(
        App(settings=load_settings(overrides={"database.url": url})), openbao, monkeypatch
    )
    tool_token = os.environ["VAULT_TOKEN"]
    secrets: set[str] = {SEED, LIAM_VAULT_PASSWORD, tool_token, openbao.token, scim.token}
    for values in CANARIES.values():
        secrets |= {values["password"], values["recovery"], *values["backup_codes"]}

    run("people", "import", str(EXAMPLES / "people.csv"))
    run("accounts", "import", str(_demo_accounts(tmp_path, scim.url)))
    run("accounts", "import-grants", str(EXAMPLES / "grants.csv"))
    run("vault", "bootstrap", env={"VAULT_TOKEN": openbao.token})
    admin = admin_vault(app, openbao)
    admin.kv.write(
        f"{admin.paths.prefix}/connectors/accounts/nw-hootsuite", {"token": scim.token}, cas=0
    )
    for account, values in CANARIES.items():
        run("creds", "set", account, "--reason", "demo set-up", input=json.dumps(values))
    run("totp", "enroll", "nw-x", input=f"otpauth://totp/X:northwind?secret={SEED}&issuer=X\n")
    # Vault makes nw-youtube's seed and shows its QR to Liam once: a seed export to re-enrol.
    run(
        "totp",
        "enroll",
        "nw-youtube",
        "--generate",
        "--show-secrets",
        env={"ACCESSGUARD_ACTOR": LEAVER},
    )
    run("vault", "user", LEAVER, input=LIAM_VAULT_PASSWORD + "\n")
    run("vault", "sync", "--json")
    yt = CANARIES["nw-youtube"]["password"]
    shown = run(
        "creds",
        "reveal",
        "nw-youtube",
        "--reason",
        "video",
        shows=frozenset({yt}),
        env={"ACCESSGUARD_ACTOR": LEAVER},  # an exposure is recorded against who reveals
    )
    assert shown.stdout.strip() == yt
    code = run(
        "totp", "code", "nw-x", "--reason", "login", env={"ACCESSGUARD_ACTOR": SUCCESSOR}
    ).stdout.strip()
    assert pyotp.TOTP(SEED).verify(code, valid_window=1)
    _scim_user(scim, LEAVER)

    run("offboard", LEAVER, "--successor", SUCCESSOR, "--dry-run")
    offboarded = run(
        "offboard",
        LEAVER,
        "--successor",
        SUCCESSOR,
        "--yes",
        "--concurrency",
        "4",
        "--json",
        "--show-secrets",
        codes=(5,),
    )
    new_seeds = set(re.findall(r"secret=([A-Z2-7]+)", offboarded.stderr))
    assert len(new_seeds) == 1, "the re-enrolled seed's QR is shown once"
    run.outputs[-1] = (run.outputs[-1][0], run.outputs[-1][1], frozenset(new_seeds))
    secrets |= new_seeds
    report = json.loads(offboarded.stdout)["run"]
    for account in CANARIES:  # the rotated passwords are canaries from now on
        new = admin.kv.read(admin.paths.secret(account), 2).values["password"].reveal()
        assert new not in (CANARIES[account]["password"],)
        secrets.add(new)
    waiting = sorted(
        {s["id"] for s in report["steps"] for i in s["items"] if i["status"] == "waiting"}
    )
    assert "rotate-shared-logins" in waiting
    for step in waiting:
        run(
            "runs",
            "confirm",
            report["id"],
            step,
            "--all",
            "--yes",
            "--evidence",
            "done by hand, IT-2001",
            codes=(0, 5),
        )
    run("runs", "show", report["id"], "--json")
    run("runs", "show", report["id"])
    run("creds", "status", "--json")
    run("totp", "status", "--json")
    run("creds", "exposed", LEAVER, "--json")
    run("report", "access", "--format", "md", "--out", str(out / "access.md"))
    run("report", "access", "--format", "html", "--out", str(out / "access.html"))
    run("report", "access", "--format", "csv", "--out", str(out / "access.csv"))
    run("report", "access", "--format", "json")
    run("report", "keys", "--json")
    run("audit", "log", "--limit", "100000", "--json")
    run("audit", "export", "--out", str(out / "audit.jsonl"))
    run("audit", "verify")
    app.engine.dispose()
    # The audit chain's HMAC key is a secret like the others: never in the database or a log.
    chain_key = admin.kv.read(f"{admin.paths.prefix}/_audit/chain-key")
    secrets.add(chain_key.values["hmac_sha256_key"].reveal())

    db_file = home / "accessguard.db"
    with sqlite3.connect(db_file) as conn:
        dump = "\n".join(conn.iterdump())
    haystacks = [
        *run.outputs,
        ("log file", run.log.read_text(), frozenset()),
        (
            "database file",
            b"".join(p.read_bytes() for p in home.glob("accessguard.db*")).decode("latin-1"),
            frozenset(),
        ),
        ("database dump", dump, frozenset()),
        *(
            (f"file {p.name}", p.read_text(), frozenset())
            for p in sorted(out.iterdir())
            if p.is_file()
        ),
    ]
    assert "credential.rotate" in (out / "audit.jsonl").read_text()
    assert '"hash_key": "kv1"' in (out / "audit.jsonl").read_text()  # the CLI keys the chain
    assert "run.start" in dump and "liam.murphy@example.com" in run.log.read_text() + dump
    leaks = [
        (where, secret[:6] + "…")
        for where, text, allowed in haystacks
        for secret in secrets - allowed
        if secret in text or (secret.isupper() and secret.lower() in text)
    ]
    assert not leaks, f"secrets leaked: {leaks}"
    # Negative control: the scan does see a secret where a command exists to show it.
    assert any(yt in text and yt in allowed for _, text, allowed in haystacks)
    assert len(dump) > 10_000

    created = [home / "config.toml", db_file, run.log, *sorted(out.iterdir())]
    modes = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in created}
    assert set(modes.values()) == {"0o600"}, modes
