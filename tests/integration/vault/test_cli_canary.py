"""Every Vault command through the CLI, with known secret values that must never leak.

The values may appear only where a command exists to show them (``creds reveal``,
``totp code``); never in other output, the log file, the database file or the audit export.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from click.testing import CliRunner, Result

from accessguard.app import App
from accessguard.cli.main import cli
from support.vault import seed_inventory, sqlite_vault_app

PASSWORD = "Canary-Pw-7f3a9c-Initial"
BACKUP = "canary-backup-5521"
RECOVERY = "canary-recovery-answer-88"
SEED = pyotp.random_base32()
VAULT_PW = "canary-vault-user-pw-6612"


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    """An SQLite App wired to OpenBao with a fresh prefix and a tool-policy token."""
    yield from sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch)


class Run:
    """Invokes the CLI and collects every output that must stay clean."""

    def __init__(self, url: str, log: Path) -> None:
        self.url, self.log = url, log
        self.runner = CliRunner()
        self.clean_output: list[str] = []

    def __call__(
        self,
        *args: str,
        input: str | None = None,
        shows_secret: bool = False,
        code: int = 0,
        env: dict[str, str] | None = None,
    ) -> Result:
        result = self.runner.invoke(
            cli,
            ["--db", self.url, "--log-file", str(self.log), "-v", *args],
            input=input,
            catch_exceptions=False,
            env=env,
        )
        assert result.exit_code == code, (args, result.output, result.stderr)
        if shows_secret:
            self.clean_output.append(result.stderr)
        else:
            self.clean_output.append(result.stdout + result.stderr)
        return result


def test_no_secret_leaks_anywhere(
    vapp: App, openbao, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    seed_inventory(
        vapp,
        openbao,
        people=("tester@example.com", "cathy@example.com"),
        accounts=(("brand-x", "x"), ("brand-yt", "youtube")),
        shared=(("cathy@example.com", "brand-x"),),
    )
    tool_token = os.environ["VAULT_TOKEN"]
    url = vapp.settings.database_url
    run = Run(url, tmp_path / "ag.log")
    secrets = [PASSWORD, BACKUP, RECOVERY, SEED, VAULT_PW, tool_token, openbao.token]

    run("vault", "bootstrap", "--json", env={"VAULT_TOKEN": openbao.token})
    status = json.loads(run("vault", "status", "--json").stdout)
    assert status["sealed"] is False and status["token"]["policies"]
    run("vault", "policy")
    run(
        "creds",
        "set",
        "brand-x",
        input=json.dumps(
            {
                "username": "brandx",
                "password": PASSWORD,
                "backup_codes": [BACKUP],
                "recovery": RECOVERY,
            }
        ),
    )
    assert (
        run("creds", "reveal", "brand-x", "--reason", "check", shows_secret=True).stdout.strip()
        == PASSWORD
    )
    rotated = json.loads(run("creds", "rotate", "brand-x", "--reason", "leaver", "--json").stdout)
    assert rotated["details"]["version"] == 2
    new_pw = run(
        "creds", "reveal", "brand-x", "--pending", "--reason", "set on x", shows_secret=True
    ).stdout.strip()
    secrets.append(new_pw)
    assert new_pw != PASSWORD
    run("creds", "confirm", "brand-x", "--json")
    run("creds", "rotate", "brand-x")
    run("creds", "rollback", "brand-x", "--yes", "--json")
    everything = json.loads(
        run("creds", "reveal", "brand-x", "--all", "--reason", "audit", shows_secret=True).stdout
    )
    assert everything["password"] == new_pw and everything["recovery"] == RECOVERY
    assert json.loads(run("creds", "status", "--json").stdout)[0]["current_version"] == 4
    run("creds", "status", "brand-x")
    run("totp", "enroll", "brand-x", input=SEED + "\n")
    code = run("totp", "code", "brand-x", "--reason", "login", shows_secret=True).stdout.strip()
    assert pyotp.TOTP(SEED).verify(code, valid_window=1)
    run("totp", "enroll", "brand-yt", "--generate", "--show-secrets")
    run("totp", "status", "--json")
    login = json.loads(
        run("vault", "user", "cathy@example.com", "--json", input=VAULT_PW + "\n").stdout
    )
    assert login["person"] == "cathy@example.com" and login["username"]
    drift = json.loads(run("vault", "sync", "--json").stdout)
    assert drift["add"] == [{"account": "brand-x", "person": "cathy@example.com"}]
    exposed = json.loads(run("creds", "exposed", "cathy@example.com", "--json").stdout)
    assert [c["account"] for c in exposed["credentials"]] == ["brand-x"]
    mine = json.loads(run("creds", "exposed", "tester@example.com", "--json").stdout)
    # The seed pasted into brand-x and the one shown for brand-yt: both seen by the operator.
    assert mine["exported_seeds"] == ["brand-x", "brand-yt"] and mine["credentials"][0]["observed"]
    revoked = json.loads(
        run("vault", "revoke-person", "cathy@example.com", "--yes", "--json").stdout
    )
    assert revoked["outcome"] == "changed"
    # login with no usable keyring backend: a clear error, not a traceback.
    failed = run("login", "--no-verify", "--addr", openbao.addr, input=tool_token + "\n", code=1)
    assert "keyring" in failed.stderr and "Traceback" not in failed.stderr
    run("audit", "export", "--out", str(tmp_path / "audit.jsonl"))
    assert run("audit", "verify").exit_code == 0

    vapp.engine.dispose()
    haystacks = {
        "output": "\n".join(run.clean_output),
        "log": run.log.read_text(),
        "audit": (tmp_path / "audit.jsonl").read_text(),
        "database": b"".join(p.read_bytes() for p in tmp_path.glob("test.db*")).decode("latin-1"),
    }
    assert len(haystacks["database"]) > 10_000 and "brand-x" in haystacks["database"]
    assert "credential.rotate" in haystacks["audit"] and "exposure.reveal" in haystacks["audit"]
    for where, text in haystacks.items():
        for value in secrets:
            assert value not in text, f"a secret leaked into {where}"
