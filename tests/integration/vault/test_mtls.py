"""Mutual TLS against a real OpenBao that requires and verifies client certificates.

``VAULT_CLIENT_CERT``/``VAULT_CLIENT_KEY`` reach the server: with the pair its CA signed,
``vault status`` and a KV write and read work; without a pair, or with a pair from
another CA, the command ends in one ``error:`` line naming the client certificate.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from accessguard.app import App
from accessguard.cli.main import cli
from accessguard.config import load_settings
from accessguard.errors import VaultError
from accessguard.secret import Secret
from accessguard.vault.facade import open_vault
from support.mtls import MtlsBao, mtls_openbao


@pytest.fixture(scope="module")
def bao(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MtlsBao]:
    with mtls_openbao(tmp_path_factory.mktemp("mtls")) as server:
        yield server


def _env(monkeypatch: pytest.MonkeyPatch, bao: MtlsBao, pair: tuple[Path, Path] | None) -> None:
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "VAULT_SKIP_VERIFY", "VAULT_CAPATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAULT_ADDR", bao.addr)
    monkeypatch.setenv("VAULT_TOKEN", bao.token)
    monkeypatch.setenv("VAULT_CACERT", str(bao.ca))
    if pair is None:
        monkeypatch.delenv("VAULT_CLIENT_CERT", raising=False)
        monkeypatch.delenv("VAULT_CLIENT_KEY", raising=False)
    else:
        monkeypatch.setenv("VAULT_CLIENT_CERT", str(pair[0]))
        monkeypatch.setenv("VAULT_CLIENT_KEY", str(pair[1]))


def _app(sqlite_url: str, clock: object) -> App:
    app = App(settings=load_settings(overrides={"database.url": sqlite_url}), clock=clock)
    vault = dataclasses.replace(app.settings.vault, prefix="mtls", retry_seconds=1)
    app.settings = dataclasses.replace(app.settings, vault=vault)
    return app


def test_the_client_pair_reaches_a_server_that_requires_it(
    bao: MtlsBao, sqlite_url: str, clock: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch, bao, (bao.client_cert, bao.client_key))
    status = CliRunner().invoke(cli, ["--db", sqlite_url, "vault", "status", "--json"])
    assert status.exit_code == 0, status.stderr
    assert bao.addr in status.stdout
    vault = open_vault(_app(sqlite_url, clock), token=Secret(bao.token))
    vault.kv.write("mtls/brand-x", {"password": Secret("mtls-canary")}, cas=0)
    assert vault.kv.read("mtls/brand-x").values["password"].reveal() == "mtls-canary"


@pytest.mark.parametrize("pair", ["none", "another CA"])
def test_without_a_trusted_client_pair_one_clear_error_line(
    bao: MtlsBao, sqlite_url: str, clock: object, monkeypatch: pytest.MonkeyPatch, pair: str
) -> None:
    _env(monkeypatch, bao, None if pair == "none" else (bao.rogue_cert, bao.rogue_key))
    status = CliRunner().invoke(cli, ["--db", sqlite_url, "vault", "status"])
    assert status.exit_code != 0
    errors = [line for line in status.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, status.stderr
    assert "client certificate" in errors[0]
    assert "Traceback" not in status.stderr
    with pytest.raises(VaultError) as refused:  # the library: refused at once, not retried
        open_vault(_app(sqlite_url, clock), token=Secret(bao.token)).kv.read("mtls/none")
    assert refused.value.code == "vault-tls-client"
