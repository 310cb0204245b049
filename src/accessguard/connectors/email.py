"""Email over SMTP: the one way accessguard talks to a mail server.

Settings come from ``[smtp]`` (host, port, starttls, username, sender, timeout); the
caller fetches the password. ``key`` (the same for every attempt at one delivery)
fixes the Message-ID, so a copy sent again by a resumed run is the same message to mail
systems that drop duplicates. smtplib's errors become a ``ConnectorError`` here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from accessguard.config import SmtpSettings
from accessguard.errors import ConnectorError
from accessguard.results import ActionResult
from accessguard.secret import Secret


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

    ``what`` names the message in the error (``could not send the report to host:port``).
    """
    import smtplib

    message = compose(settings, to, subject=subject, body=body, attachments=attachments, key=key)
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.username and password is not None:
                smtp.login(settings.username, password.reveal())
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise ConnectorError(
            f"could not send {what} to {settings.host}:{settings.port}: "
            f"{type(exc).__name__}: {exc}",
            hint="check the [smtp] settings (host, port, starttls, username)",
            code="email-failed",
        ) from None
    return ActionResult.changed(f"emailed {', '.join(to)}", to=list(to))
