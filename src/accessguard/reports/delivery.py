"""Deliver a report through the connectors' notifiers: email (SMTP) and Slack incoming webhooks.

What to say lives here (the summary, the attachment); how it travels is the connectors'
(``connectors/email.py``, ``connectors/slack.py``): one transport per outside system.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from accessguard.config import SmtpSettings
from accessguard.errors import KeyringError, UsageError
from accessguard.reports.digest import Digest
from accessguard.reports.findings.base import Severity
from accessguard.secret import Secret

if TYPE_CHECKING:
    from accessguard.app import App


def summary_body(digest: Digest) -> str:
    """The counts and the worst kinds, a few lines (the summary without its title)."""
    counts = ", ".join(f"{digest.by_severity.get(s, 0)} {s.label}" for s in reversed(Severity))
    lines = [f"{digest.total} finding(s) ({counts})."]
    for kind in digest.kinds()[:8]:
        lines.append(f"• {kind.severity.label}: {kind.kind} × {kind.count}")
    if not digest.total:
        lines.append("Nothing to act on.")
    return "\n".join(lines)


def summary_text(digest: Digest, *, title: str) -> str:
    """A few lines for a chat message or an email body."""
    return f"{title}: {summary_body(digest)}"


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


def email_report(
    settings: SmtpSettings,
    to: Sequence[str],
    *,
    subject: str,
    body: str,
    filename: str,
    page: str,
) -> None:
    """Email ``body`` with the HTML ``page`` attached, through the SMTP notifier."""
    from accessguard.connectors.email import Attachment, send_email

    send_email(
        settings,
        to,
        subject=subject,
        body=body,
        attachments=[Attachment(filename, page.encode("utf-8"))],
        password=smtp_password(settings),
        what="the report",
    )


def post_to_slack(app: App, url: str, *, subject: str, text: str) -> None:
    """Post the summary to a Slack incoming webhook through the Slack notifier."""
    parsed = urlparse(url)
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        raise UsageError(
            "--slack-webhook must be an http(s) URL",
            hint="copy the incoming webhook URL from Slack",
        )
    from accessguard.connectors.http import HttpClient
    from accessguard.connectors.registry import build_notifier

    http = HttpClient()
    try:
        slack = build_notifier(app, "slack", name="report", secrets={"url": Secret(url)}, http=http)
        slack.notify(subject, text)
    finally:
        http.close()
