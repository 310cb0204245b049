"""Email over SMTP: the one way accessguard talks to a mail server.

Settings come from ``[smtp]`` (host, port, security, cafile, username, sender, timeout).
The connection is encrypted before anything else is said: ``starttls`` (the default)
upgrades with a verifying TLS context and refuses a server that does not offer it,
``tls`` speaks TLS from the first byte; ``none`` is for a local relay without a login,
so a password never travels in clear. The password (when ``username`` is set) comes from
``ACCESSGUARD_SMTP_PASSWORD``, Vault or the OS keyring (``smtp_password``); an empty one
counts as missing. ``key`` (the same for every attempt at one delivery)
fixes the Message-ID, so a copy sent again by a resumed run is the same message to mail
systems that drop duplicates. smtplib's and ssl's errors become a ``ConnectorError`` here.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING

from accessguard.config import SmtpSettings
from accessguard.errors import ConfigError, ConnectorError
from accessguard.results import ActionResult
from accessguard.secret import Secret, redact

if TYPE_CHECKING:
    import smtplib
    import ssl

    from accessguard.app import App

PASSWORD_ENV = "ACCESSGUARD_SMTP_PASSWORD"
KEYRING_NAME = "smtp"  # service "accessguard" (secrets_store.SERVICE)
VAULT_NAME = "smtp"  # <prefix>/connectors/notifiers/smtp, key "password"
SECURITY_PORTS = {"starttls": 587, "tls": 465, "none": 25}
_PASSWORD_HINT = (
    f"set {PASSWORD_ENV}, store it in Vault (KV <prefix>/connectors/notifiers/{VAULT_NAME}, key "
    f"password) or with `keyring set accessguard {KEYRING_NAME}`; a relay that needs no "
    "login takes no [smtp] username"
)


def port(settings: SmtpSettings) -> int:
    """The port to connect to: ``[smtp] port``, else the usual one for ``security``."""
    return settings.port or SECURITY_PORTS.get(settings.security, 25)


def check_settings(settings: SmtpSettings) -> None:
    """Refuse settings that would send a password in clear (or name no known security)."""
    if settings.security not in SECURITY_PORTS:
        raise ConfigError(
            f"[smtp] security = {settings.security!r}: use one of "
            + ", ".join(f'"{name}"' for name in SECURITY_PORTS),
            hint="fix [smtp] security in the config file (or ACCESSGUARD_SMTP_SECURITY): "
            '"starttls" for port 587, "tls" for 465',
            code="smtp-config",
        )
    if settings.security == "none" and settings.username:
        raise ConfigError(
            '[smtp] security = "none" with a username would send the password in clear: '
            'use "starttls" or "tls", or no username for a local relay',
            hint="nothing was sent; set [smtp] security to starttls or tls",
            code="smtp-insecure-login",
        )


def smtp_password(app: App, *, environ: Mapping[str, str] | None = None) -> Secret | None:
    """The SMTP password for ``[smtp] username``; None without a username.

    ``ACCESSGUARD_SMTP_PASSWORD``, else Vault (``<prefix>/connectors/notifiers/smtp``, key
    ``password``, read like every notifier's secrets), else the OS keyring (service
    ``accessguard``, user ``smtp``). An empty value counts as missing: a username with no
    password is a ConfigError, never a login with an empty password.
    """
    settings = app.settings.smtp
    if not settings.username:
        return None
    env = os.environ if environ is None else environ
    if value := env.get(PASSWORD_ENV):
        return Secret(value)
    from accessguard import secrets_store
    from accessguard.connectors.tokens import from_vault

    if stored := from_vault(app, "notifiers", VAULT_NAME).get("password"):
        return stored
    if stored := secrets_store.get_secret(KEYRING_NAME):
        return stored
    raise ConfigError(
        f"[smtp] username is {settings.username!r} but no SMTP password is set",
        hint=_PASSWORD_HINT,
        code="smtp-password-missing",
    )


def tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    """A verifying TLS context (system CAs, plus ``[smtp] cafile`` when set)."""
    import ssl

    try:
        return ssl.create_default_context(cafile=settings.cafile or None)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            f"[smtp] cafile {settings.cafile!r} cannot be read: {type(exc).__name__}",
            hint="point it at a PEM file of CA certificates",
            code="smtp-config",
        ) from None


@dataclass(frozen=True)
class Attachment:
    """A file attached to an email."""

    filename: str
    content: bytes
    mimetype: str = "text/html"


def compose(
    settings: SmtpSettings,
    to: Sequence[str],
    *,
    subject: str,
    body: str,
    attachments: Sequence[Attachment] = (),
    key: str | None = None,
) -> EmailMessage:
    """The message as it will be sent (a Message-ID derived from ``key`` when given)."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    if key:
        domain = settings.sender.rpartition("@")[2] or "accessguard"
        message["Message-ID"] = f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"
    message.set_content(body)
    for item in attachments:
        maintype, _, subtype = item.mimetype.partition("/")
        message.add_attachment(
            item.content, maintype=maintype, subtype=subtype, filename=item.filename
        )
    return message


def send_email(
    settings: SmtpSettings,
    to: Sequence[str],
    *,
    subject: str,
    body: str,
    attachments: Sequence[Attachment] = (),
    password: Secret | None = None,
    key: str | None = None,
    what: str = "the email",
) -> ActionResult:
    """Send one message through the SMTP server; ``changed`` once it is accepted.

    With a username, ``password`` must be given (see ``smtp_password``) and is sent only
    over TLS. ``what`` names the message in the error (``could not send the report to
    host:port``).
    """
    message = compose(settings, to, subject=subject, body=body, attachments=attachments, key=key)
    with _session(settings, password, what=what) as smtp:
        smtp.send_message(message)
    return ActionResult.changed(f"emailed {', '.join(to)}", to=list(to))


def check_login(settings: SmtpSettings, *, password: Secret | None, what: str) -> None:
    """Connect, secure and log in exactly as ``send_email`` would, then quit; sends nothing.

    A command calls it before it prints or writes anything, so a server that is down,
    an untrusted certificate or a wrong password stops it with nothing done.
    """
    with _session(settings, password, what=what, checking=True):
        pass


@contextmanager
def _session(
    settings: SmtpSettings, password: Secret | None, *, what: str, checking: bool = False
) -> Iterator[smtplib.SMTP]:
    """A connection inside verified TLS (unless ``none``), logged in when there is a username.

    smtplib's and ssl's errors, in it or in the caller's block, become a ConnectorError
    naming ``what`` and the server, with anything the server said redacted.
    """
    check_settings(settings)
    if settings.username and not password:
        raise ConfigError(
            f"[smtp] username is {settings.username!r} but no SMTP password is set",
            hint=_PASSWORD_HINT,
            code="smtp-password-missing",
        )
    import smtplib
    import ssl

    context = tls_context(settings) if settings.security != "none" else None
    where = f"{settings.host}:{port(settings)}"
    # A check before anything is rendered sends nothing: say so, not "could not send".
    failed = (
        f"could not use the mail server {where} for {what} (checked first, nothing was sent)"
        if checking
        else f"could not send {what} to {where}"
    )
    try:
        with _secure_connection(settings, context, what=what, where=where) as smtp:
            if settings.username and password:
                smtp.login(settings.username, password.reveal())
            yield smtp
    except ssl.SSLCertVerificationError as exc:
        raise ConnectorError(
            f"{failed}: the server's certificate is not trusted ({exc.verify_message})",
            hint="set [smtp] cafile to the CA that signed it; nothing was sent",
            code="email-tls-untrusted",
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        # A hostile server could echo the password in its reply: redact what it said.
        raise ConnectorError(
            f"{failed}: {type(exc).__name__}: {redact(str(exc))}",
            hint="check the [smtp] settings (host, port, security, cafile, username; "
            "unset, the server is localhost:587 with STARTTLS)",
            code="email-failed",
        ) from None


def _secure_connection(
    settings: SmtpSettings, context: ssl.SSLContext | None, *, what: str, where: str
) -> smtplib.SMTP:
    """A connection already inside verified TLS (``starttls``, ``tls``), or plain (``none``)."""
    import smtplib

    if settings.security == "tls":
        return smtplib.SMTP_SSL(
            settings.host, port(settings), timeout=settings.timeout, context=context
        )
    smtp = smtplib.SMTP(settings.host, port(settings), timeout=settings.timeout)
    if settings.security == "starttls":
        # Always, not "if offered": a server (or a man in the middle) that does not offer
        # STARTTLS is refused here, before any login or message.
        try:
            smtp.starttls(context=context)
        except smtplib.SMTPNotSupportedError:
            smtp.close()
            raise ConnectorError(
                f"could not send {what} to {where}: the server does not offer STARTTLS",
                hint='nothing was sent in clear; use security = "tls" if it speaks TLS '
                "from the first byte (port 465)",
                code="email-no-tls",
            ) from None
        except BaseException:
            smtp.close()
            raise
    return smtp
