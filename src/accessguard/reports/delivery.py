"""Deliver a report through the connectors' notifiers: email (SMTP) and Slack incoming webhooks.

What to say lives here (the summary, the attachment); how it travels is the connectors'
(``connectors/email.py``, ``connectors/slack.py``): one transport per outside system.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from accessguard.errors import ConfigError
from accessguard.reports.digest import Digest
from accessguard.reports.findings.base import Severity

if TYPE_CHECKING:
    from accessguard.app import App


def summary_body(digest: Digest) -> str:
    """The counts and the worst kinds, a few lines (the summary without its title)."""
    counts = ", ".join(f"{digest.by_severity.get(s, 0)} {s.label}" for s in reversed(Severity))
    lines = [f"{digest.total} finding(s) ({counts})."]
    for kind in digest.kinds()[:8]:
        lines.append(f"• {kind.severity.label}: {kind.kind} × {kind.count}")
    if digest.accepted_count:
        lines.append(f"{digest.accepted_count} accepted risk(s), not counted (see the report).")
    if not digest.total:
        lines.append("Nothing to act on.")
    return "\n".join(lines)


def summary_text(digest: Digest, *, title: str) -> str:
    """A few lines for a chat message or an email body."""
    return f"{title}: {summary_body(digest)}"


def email_report(
    app: App,
    to: Sequence[str],
    *,
    subject: str,
    body: str,
    filename: str,
    page: str,
) -> None:
    """Email ``body`` with the HTML ``page`` attached, through the SMTP notifier."""
    from accessguard.connectors.email import Attachment, send_email, smtp_password

    send_email(
        app.settings.smtp,
        to,
        subject=subject,
        body=body,
        attachments=[Attachment(filename, page.encode("utf-8"))],
        password=smtp_password(app),
        what="the report",
    )


def post_to_slack(app: App, *, subject: str, text: str) -> None:
    """Post the summary through the Slack notifier to the configured incoming webhook.

    The webhook URL is a bearer secret, so it never comes from the command line: the
    ``ACCESSGUARD_SLACK_WEBHOOK`` environment variable, else the ``slack`` notifier's
    secret ``url`` (Vault, then the OS keyring, as every notifier's secrets).
    """
    from accessguard.connectors.registry import build_notifier, http_client
    from accessguard.connectors.slack import CHANNEL, WEBHOOK_ENV, webhook_from_env

    secrets = webhook_from_env()
    http = http_client(app)
    try:
        slack = build_notifier(app, "slack", name=CHANNEL, secrets=secrets, http=http)
        url = slack.secrets.get("url")
        if not url:
            raise ConfigError(
                "no Slack webhook is configured",
                hint=f"set {WEBHOOK_ENV}, or store it as the {CHANNEL!r} notifier's secret "
                f"'url' in Vault (KV <prefix>/connectors/notifiers/{CHANNEL}) or the OS "
                f"keyring (service 'accessguard', user 'connectors/notifiers/{CHANNEL}', value "
                '{"url": "https://hooks.slack.com/..."})',
                code="slack-webhook-missing",
            )
        parsed = urlparse(url.reveal())
        if parsed.scheme not in ("https", "http") or not parsed.netloc:
            raise ConfigError(
                "the configured Slack webhook is not an http(s) URL",
                hint="store the incoming webhook URL copied from Slack",
                code="slack-webhook-invalid",
            )
        slack.notify(subject, text)
    finally:
        http.close()
