"""A real SMTP server (aiosmtpd) speaking TLS, with a throwaway CA, and what it heard.

``make_ca`` writes a CA and a server certificate for 127.0.0.1/localhost; ``tls_smtp_server``
runs aiosmtpd with STARTTLS (required before AUTH), implicit TLS, or no TLS at all (a
server, or a man in the middle, that strips STARTTLS) and records every AUTH line and
every login it receives, so a test can prove a password never reached it.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from support.servers import free_port


@dataclass(frozen=True)
class Certs:
    """PEM files: the CA a client trusts, and the server's certificate and key."""

    cafile: Path
    certfile: Path
    keyfile: Path


def make_ca(folder: Path, *, name: str = "test") -> Certs:
    """A fresh CA and a server certificate it signs (SAN 127.0.0.1, localhost)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"accessguard {name} CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    certs = Certs(folder / f"{name}-ca.pem", folder / f"{name}-server.pem", folder / f"{name}.key")
    certs.cafile.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    certs.certfile.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    certs.keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certs


@dataclass
class TlsMailbox:
    """What the server received: messages, raw AUTH arguments, and logins it checked."""

    port: int
    messages: list[Message] = field(default_factory=list)
    auth_lines: list[str] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)


@contextmanager
def tls_smtp_server(
    certs: Certs | None,
    *,
    mode: str = "starttls",
    password: str = "",
    echo_password: bool = False,
) -> Iterator[TlsMailbox]:
    """aiosmtpd on loopback: ``mode`` ``starttls`` (required), ``tls`` (implicit) or ``plain``.

    ``plain`` offers AUTH without any TLS, as a server behind a STARTTLS-stripping attacker
    would. Logins succeed with ``password``; ``echo_password`` makes a hostile server that
    repeats what it was sent in its refusal.
    """
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    box = TlsMailbox(free_port())
    context: ssl.SSLContext | None = None
    if certs is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certs.certfile, certs.keyfile)

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.messages.append(message_from_bytes(envelope.original_content or envelope.content))
            return "250 OK"

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, sent = data.login.decode(), data.password.decode()
        box.logins.append((login, sent))
        if sent == password:
            return AuthResult(success=True)
        if echo_password:
            return AuthResult(success=False, handled=False, message=f"535 5.7.8 not {sent!r}")
        return AuthResult(success=False)

    class RecordingSMTP(SMTP):
        async def smtp_AUTH(self, arg: str) -> None:
            box.auth_lines.append(arg)
            await super().smtp_AUTH(arg)

    kwargs: dict[str, Any] = {"authenticator": authenticator}
    if mode == "starttls":
        kwargs.update(tls_context=context, require_starttls=True, auth_require_tls=True)
    else:  # implicit TLS (aiosmtpd only counts STARTTLS as TLS), or none at all
        kwargs.update(auth_require_tls=False)

    class TlsController(Controller):
        def factory(self) -> SMTP:
            return RecordingSMTP(self.handler, **kwargs)

    controller = TlsController(
        Handler(),
        hostname="127.0.0.1",
        port=box.port,
        ssl_context=context if mode == "tls" else None,
    )
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
