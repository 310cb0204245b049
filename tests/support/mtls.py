"""OpenBao behind a listener that requires and verifies client certificates (mutual TLS).

``mtls_openbao(folder)`` writes a private CA, a server certificate for 127.0.0.1, a
client pair the CA signed and a client pair from another CA, then starts ``bao server
-dev`` with a config file adding a TLS listener with ``tls_require_and_verify_client_cert``
(the dev listener stays on plain http, unused by the tests).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from support.servers import BIN, free_port, stop, wait_until


@dataclass(frozen=True)
class MtlsBao:
    """The mutual-TLS address, its root token and the files a client needs."""

    addr: str
    token: str
    ca: Path
    client_cert: Path
    client_key: Path
    rogue_cert: Path
    rogue_key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _issue(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[str, ec.EllipticCurvePrivateKey],
    *,
    usage: x509.ObjectIdentifier | None = None,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer[0]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=usage is None, path_length=None), critical=True)
    )
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if usage == ExtendedKeyUsageOID.SERVER_AUTH:
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
        builder = builder.add_extension(san, critical=False)
    return builder.sign(issuer[1], hashes.SHA256())


def _write(
    folder: Path, name: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey
) -> None:
    (folder / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (folder / f"{name}-key.pem").write_bytes(key_bytes)
    (folder / f"{name}-key.pem").chmod(0o600)


def _certificates(folder: Path) -> None:
    ca_key, rogue_ca_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca = ("test-ca", ca_key)
    _write(folder, "ca", _issue("test-ca", ca_key, ca), ca_key)
    for name, issuer, usage in (
        ("server", ca, ExtendedKeyUsageOID.SERVER_AUTH),
        ("client", ca, ExtendedKeyUsageOID.CLIENT_AUTH),
        ("rogue", ("rogue-ca", rogue_ca_key), ExtendedKeyUsageOID.CLIENT_AUTH),
    ):
        key = ec.generate_private_key(ec.SECP256R1())
        _write(folder, name, _issue(name, key, issuer, usage=usage), key)


@contextlib.contextmanager
def mtls_openbao(folder: Path, root_token: str = "root-token-for-mtls") -> Iterator[MtlsBao]:
    """Start OpenBao whose TLS listener requires a client certificate signed by its CA."""
    _certificates(folder)
    port = free_port()
    config = folder / "bao.hcl"
    config.write_text(
        'listener "tcp" {\n'
        f'  address = "127.0.0.1:{port}"\n'
        f'  tls_cert_file = "{folder / "server.pem"}"\n'
        f'  tls_key_file = "{folder / "server-key.pem"}"\n'
        f'  tls_client_ca_file = "{folder / "ca.pem"}"\n'
        "  tls_require_and_verify_client_cert = true\n"
        "}\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "BAO_"))}
    env["HOME"] = tempfile.mkdtemp(prefix="ag-bao-home-")
    proc = subprocess.Popen(
        [
            str(BIN / "bao"),
            "server",
            "-dev",
            f"-dev-listen-address=127.0.0.1:{free_port()}",
            f"-dev-root-token-id={root_token}",
            "-dev-no-store-token",
            f"-config={config}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    addr = f"https://127.0.0.1:{port}"
    client = (str(folder / "client.pem"), str(folder / "client-key.pem"))
    try:
        wait_until(
            lambda: (
                requests.get(
                    f"{addr}/v1/sys/health", timeout=2, verify=str(folder / "ca.pem"), cert=client
                ).status_code
                == 200
            ),
            what="OpenBao (mutual TLS)",
        )
        yield MtlsBao(
            addr,
            root_token,
            folder / "ca.pem",
            folder / "client.pem",
            folder / "client-key.pem",
            folder / "rogue.pem",
            folder / "rogue-key.pem",
        )
    finally:
        stop(proc)
        shutil.rmtree(env["HOME"], ignore_errors=True)
