"""Deliver a report: email over SMTP (password from the keyring) and Slack incoming webhooks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlparse

from accessguard.config import SmtpSettings
from accessguard.errors import AccessGuardError, KeyringError, UsageError
from accessguard.reports.digest import Digest
from accessguard.reports.findings.base import Severity
from accessguard.secret import Secret


class DeliveryError(AccessGuardError):
    """The mail server or the webhook refused or could not be reached."""

    code = "delivery-failed"


@dataclass(frozen=True)
class Attachment:
    """A file attached to the email."""

    filename: str
    content: bytes
    mimetype: str = "text/html"


def summary_text(digest: Digest, *, title: str) -> str:
    """A few lines for a chat message or an email body."""
    counts = ", ".join(f"{digest.by_severity.get(s, 0)} {s.label}" for s in reversed(Severity))
    lines = [f"{title}: {digest.total} finding(s) ({counts})."]
    for kind in digest.kinds()[:8]:
        lines.append(f"• {kind.severity.label}: {kind.kind} × {kind.count}")
    if not digest.total:
        lines.append("Nothing to act on.")
    return "\n".join(lines)


def smtp_password(settings: SmtpSettings) -> Secret | None:
    """The SMTP password from the OS keyring (service ``accessguard``, name ``smtp``)."""
    if not settings.username:
        return None
    import keyring
    from keyring.errors import KeyringError as BackendError

    try:
        value = keyring.get_password("accessguard", "smtp")
    except BackendError as exc:
        raise KeyringError(
            f"cannot read the SMTP password from the keyring: {type(exc).__name__}",
            hint="store it with `keyring set accessguard smtp`, or use an SMTP relay "
            "that needs no login (leave smtp.username empty)",
        ) from None
    if value is None:
        raise KeyringError(
            f"smtp.username is {settings.username!r} but the keyring holds no SMTP password",
            hint="store it with `keyring set accessguard smtp`",
            code="smtp-password-missing",
        )
    return Secret(value)


def send_email(
    settings: SmtpSettings,
    to: Sequence[str],
    *,
    subject: str,
    body: str,
    attachments: Sequence[Attachment] = (),
    password: Secret | None = None,
) -> None:
    """Send one message to ``to`` through the configured SMTP server."""
    import smtplib

    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    for item in attachments:
        maintype, _, subtype = item.mimetype.partition("/")
        message.add_attachment(
            item.content, maintype=maintype, subtype=subtype, filename=item.filename
        )
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.username and password is not None:
                smtp.login(settings.username, password.reveal())
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(
            f"could not send the report to {settings.host}:{settings.port}: "
            f"{type(exc).__name__}: {exc}",
            hint="check the [smtp] settings (host, port, starttls, username)",
        ) from None


def post_slack(url: str, text: str, *, timeout: float = 10.0) -> None:
    """Post ``text`` to a Slack incoming webhook."""
    import requests

    parsed = urlparse(url)
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        raise UsageError(
            "--slack-webhook must be an http(s) URL",
            hint="copy the incoming webhook URL from Slack",
        )
    try:
        response = requests.post(url, json={"text": text}, timeout=timeout)
    except requests.RequestException as exc:
        raise DeliveryError(
            f"Slack webhook at {parsed.netloc} unreachable: {type(exc).__name__}"
        ) from None
    if response.status_code >= 300:
        raise DeliveryError(
            f"Slack webhook at {parsed.netloc} answered {response.status_code}",
            hint="check that the webhook URL is current",
        )
