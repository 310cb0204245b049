"""Vault over HTTPS: the transport verifies the server as requests does, and a
rotation's writes land; an untrusted certificate is one clean error (OpenBao ``-dev-tls``)."""

from __future__ import annotations

import dataclasses
import shutil
import socket
import ssl
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from accessguard.app import App
from accessguard.config import load_settings
from accessguard.credentials.rotation import rotate
from accessguard.errors import AccessGuardError
from accessguard.inventory.records import get_account_record
from accessguard.secret import Secret
from accessguard.vault.facade import open_vault
from support.servers import OpenBao, openbao_server
from support.vault import seed_inventory, store_login

OLD = "Tls-Old-Passw0rd-canary"


@pytest.fixture(scope="module")
def tls_bao() -> Iterator[tuple[OpenBao, str]]:
    """An HTTPS OpenBao dev server and its CA bundle."""
    with tempfile.TemporaryDirectory(prefix="ag-bao-tls-") as tls_dir:
        with openbao_server(tls_dir=tls_dir) as server:
            yield server, str(Path(tls_dir) / "vault-ca.pem")


def _app(sqlite_url: str, clock, server: OpenBao, **vault: object) -> App:
    app = App(settings=load_settings(overrides={"database.url": sqlite_url}), clock=clock)
    app.settings = dataclasses.replace(
        app.settings,
        vault=dataclasses.replace(
            app.settings.vault, addr=server.addr, prefix="tls", retry_seconds=1, **vault
        ),
    )
    app.upgrade_schema()
    return app


def _clear_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "VAULT_ADDR", "VAULT_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def test_rotation_over_https_with_the_ca_bundle(
    sqlite_url: str, clock, tls_bao: tuple[OpenBao, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, ca = tls_bao
    _clear_env(monkeypatch)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca)
    app = _app(sqlite_url, clock, server)
    seed_inventory(app, server)
    vault = open_vault(app, token=Secret(server.token))
    store_login(app, vault, "brand-x", {"username": "brandx", "password": OLD})
    with app.begin() as conn:
        result = rotate(
            conn,
            app.clock,
            vault=vault,
            account=get_account_record(conn, "brand-x"),
            actor="t",
            reason="tls",
        )
    assert result.details["version"] == 2
    path = vault.paths.secret("brand-x")
    answer = requests.get(
        f"{server.addr}/v1/secret/data/{path}",
        headers={"X-Vault-Token": server.token},
        verify=ca,
        timeout=10,
    ).json()["data"]
    assert answer["metadata"]["version"] == 2
    assert answer["data"]["username"] == "brandx"
    assert answer["data"]["password"] not in (OLD, "")
    assert answer["metadata"]["custom_metadata"]["state"] == "pending"


def test_untrusted_certificate_is_one_clean_error_and_nothing_written(
    sqlite_url: str, clock, tls_bao: tuple[OpenBao, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, ca = tls_bao
    _clear_env(monkeypatch)  # certifi's bundle: the dev CA is not in it
    app = _app(sqlite_url, clock, server)
    vault = open_vault(app, token=Secret(server.token))
    with pytest.raises(AccessGuardError) as caught:
        vault.kv.write("tls/untrusted", {"password": Secret("never-written-canary")}, cas=0)
    message = caught.value.message
    assert "\n" not in message and "never-written-canary" not in message
    assert "certificate" in message and "REQUESTS_CA_BUNDLE" in (caught.value.hint or "")
    status = requests.get(
        f"{server.addr}/v1/secret/data/tls/untrusted",
        headers={"X-Vault-Token": server.token},
        verify=ca,
        timeout=10,
    ).status_code
    assert status == 404


def test_verify_false_accepts_the_self_signed_server(
    sqlite_url: str, clock, tls_bao: tuple[OpenBao, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _ = tls_bao
    _clear_env(monkeypatch)
    app = _app(sqlite_url, clock, server, verify=False)
    vault = open_vault(app, token=Secret(server.token))
    version = vault.kv.write("tls/unverified", {"password": Secret("unverified-canary-1")}, cas=0)
    assert vault.kv.read("tls/unverified").values["password"].reveal() == "unverified-canary-1"
    assert version == 1


def test_cli_names_the_untrusted_certificate_in_one_line(
    sqlite_url: str, tls_bao: tuple[OpenBao, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from accessguard.cli.main import cli

    server, ca = tls_bao
    _clear_env(monkeypatch)
    monkeypatch.setenv("VAULT_ADDR", server.addr)
    monkeypatch.setenv("VAULT_TOKEN", server.token)
    result = CliRunner().invoke(cli, ["--db", sqlite_url, "vault", "status"])
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "certificate" in errors[0], result.stderr
    assert "Traceback" not in result.stderr and server.token not in result.stderr
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca)  # trusted now: the same command works
    trusted = CliRunner().invoke(cli, ["--db", sqlite_url, "vault", "status"])
    assert trusted.exit_code == 0, trusted.stderr


def test_https_never_redirects_the_token_to_http(
    tls_bao: tuple[OpenBao, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even to a configured http address: the token crossed TLS and must not leave it."""
    from accessguard.config import VaultSettings
    from accessguard.errors import VaultError
    from accessguard.vault.connection import Connection
    from accessguard.vault.facade import Vault
    from accessguard.vault.paths import VaultPaths
    from support.redirects import Loopback, ok

    _, ca = tls_bao
    _clear_env(monkeypatch)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(Path(ca).parent / "vault-cert.pem", Path(ca).parent / "vault-key.pem")
    token = "hvs.downgrade-canary-token-51c2"
    with Loopback(ok) as plain:

        def answer(method: str, path: str) -> tuple[int, dict[str, str]]:
            if path.startswith("/v1/sys/leader"):
                return 200, {"Content-Type": "application/json"}  # "use me"
            return 307, {"Location": plain.url + path}

        with Loopback(answer, tls=tls) as secure:
            connection = Connection((secure.url, plain.url), Secret(token), None, 5)
            vault = Vault(connection, VaultPaths.from_settings(VaultSettings(prefix="tls")))
            with pytest.raises(VaultError) as caught:
                vault.kv.read("tls/downgraded")
            asked = [r.path for r in secure.received]
    assert plain.received == []
    assert any(p.endswith("/tls/downgraded") for p in asked)
    assert caught.value.code == "vault-redirect"
    assert token not in caught.value.message


# --- VAULT_CACERT, VAULT_CAPATH, VAULT_SKIP_VERIFY, plain http (issue 16 item 8) --------------


def _write_read(app: App, server: OpenBao, path: str) -> str:
    vault = open_vault(app, token=Secret(server.token))
    vault.kv.write(path, {"password": Secret(f"{path}-canary")}, cas=0)
    return vault.kv.read(path).values["password"].reveal()


def test_self_signed_vault_is_refused_by_default(
    sqlite_url: str, clock, tls_bao: tuple[OpenBao, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _ = tls_bao
    _clear_env(monkeypatch)
    app = _app(sqlite_url, clock, server)
    with pytest.raises(AccessGuardError) as caught:
        _write_read(app, server, "tls/default")
    assert caught.value.code == "vault-tls"


def test_vault_cacert_is_trusted(
    sqlite_url: str, clock, tls_bao: tuple[OpenBao, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, ca = tls_bao
    _clear_env(monkeypatch)
    monkeypatch.setenv("VAULT_CACERT", ca)
    app = _app(sqlite_url, clock, server)
    assert _write_read(app, server, "tls/cacert") == "tls/cacert-canary"


def test_vault_capath_is_trusted(
    sqlite_url: str,
    clock,
    tls_bao: tuple[OpenBao, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A c_rehash-style directory: the CA under ``<subject hash>.0``, as openssl looks it up."""
    server, ca = tls_bao
    _clear_env(monkeypatch)
    subject_hash = subprocess.run(
        ["openssl", "x509", "-hash", "-noout", "-in", ca],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    cas = tmp_path / "cas"
    cas.mkdir()
    shutil.copy(ca, cas / f"{subject_hash}.0")
    monkeypatch.setenv("VAULT_CAPATH", str(cas))
    app = _app(sqlite_url, clock, server)
    assert _write_read(app, server, "tls/capath") == "tls/capath-canary"


def test_skip_verify_warns_on_stderr(
    sqlite_url: str, tls_bao: tuple[OpenBao, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from accessguard.cli.main import cli
    from accessguard.vault import tls

    server, _ = tls_bao
    _clear_env(monkeypatch)
    monkeypatch.setattr(tls, "_warned", set())  # a fresh process
    monkeypatch.setenv("VAULT_ADDR", server.addr)
    monkeypatch.setenv("VAULT_TOKEN", server.token)
    monkeypatch.setenv("VAULT_SKIP_VERIFY", "true")
    result = CliRunner().invoke(cli, ["--db", sqlite_url, "vault", "status"])
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "verification" in line]
    assert len(warnings) == 1, result.stderr
    assert server.addr in warnings[0]
    assert warnings[0].startswith("WARNING:")


def test_plain_http_off_loopback_is_refused_before_any_connection(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from accessguard.cli.main import cli

    address = "http://vault.example.invalid:8200"
    looked_up: list[object] = []
    real = socket.getaddrinfo

    def spy(host: object, *args: object, **kwargs: object) -> object:
        looked_up.append(host)
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", spy)
    monkeypatch.setenv("VAULT_ADDR", address)
    monkeypatch.setenv("VAULT_TOKEN", "hvs.plain-http-canary")
    result = CliRunner().invoke(cli, ["--db", sqlite_url, "vault", "status"])
    assert result.exit_code != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert address in errors[0]
    assert "allow_http" in errors[0]
    assert "vault.example.invalid" not in looked_up
    assert "plain-http-canary" not in result.stderr
