"""An https fake on loopback: a throwaway self-signed certificate for 127.0.0.1.

``trust(monkeypatch)`` points ``REQUESTS_CA_BUNDLE`` at the certificate, as an admin
would for a private CA, so the connectors verify TLS as usual.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import tempfile
from functools import cache
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from support.fake_http import FakeServer, Reply, Request


@cache
def _certificate() -> tuple[Path, Path]:
    """(certificate, key) files for 127.0.0.1, made once per test session."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = Path(tempfile.mkdtemp(prefix="ag-tls-"))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def trust(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make requests trust the fakes' certificate (``REQUESTS_CA_BUNDLE``)."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(_certificate()[0]))


class TlsRedirector(FakeServer):
    """An https server that answers every request with a redirect to ``location``."""

    def __init__(self, location: str, *, status: int = 302) -> None:
        super().__init__()
        self.location, self.status = location, status

    @property
    def url(self) -> str:
        """The https base URL."""
        return f"https://127.0.0.1:{self.port}"

    def secure(self, server: ThreadingHTTPServer) -> None:
        """Serve TLS with the session's self-signed certificate."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*_certificate())
        server.socket = context.wrap_socket(server.socket, server_side=True)

    def route(self, request: Request) -> Reply:
        """Send the client elsewhere, keeping the path and query."""
        query = "&".join(f"{k}={v}" for k, v in request.query.items())
        target = f"{self.location}{request.path}{'?' + query if query else ''}"
        return Reply(self.status, None, {"Location": target})
