"""Deliver a report through the connectors' notifiers: email (SMTP) and Slack incoming webhooks.

What to say lives here (the summary, the attachment); how it travels is the connectors'
(``connectors/email.py``, ``connectors/slack.py``): one transport per outside system.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from accessguard.errors import ConfigError, InputError
from accessguard.reports.digest import Digest
from accessguard.reports.findings.base import Severity
from accessguard.secret import Secret

if TYPE_CHECKING:
    from accessguard.app import App


@dataclass(frozen=True)
class Delivery:
    """Where a report goes, every setting checked before anything is rendered or written.

    ``smtp_password`` is None without an ``[smtp] username``; ``slack_url`` is None
    when no Slack post was asked for.
    """

    emails: tuple[str, ...] = ()
    smtp_password: Secret | None = None
    slack_url: Secret | None = None

    @property
    def wanted(self) -> bool:
        """Whether anything is to be sent."""
        return bool(self.emails) or self.slack_url is not None


def prepare_delivery(app: App, *, emails: Sequence[str], slack: bool) -> Delivery:
    """Check the delivery settings first: recipients, SMTP settings and login, the webhook.

    For email the server is asked too: a connection secured and logged in as for the
    real message, then closed (no message). A report is rendered, printed or written
    only after this passes, so a missing or bad setting, a server that is down or
    refuses the login, stops the command with nothing shown, written or sent.
    """
    from accessguard.inventory.validation import check_email

    recipients: list[str] = []
    for address in emails:
        try:
            recipients.append(check_email(address, "--email"))
        except InputError as exc:
            raise InputError(
                exc.message, hint="give one address per --email, e.g. --email security@example.com"
            ) from None
    password = _smtp_ready(app) if recipients else None
    url = _slack_webhook(app) if slack else None
    return Delivery(tuple(dict.fromkeys(recipients)), password, url)


def _smtp_ready(app: App) -> Secret | None:
    """The SMTP password (None: no login), once the server took it (a login, no message)."""
    from accessguard.connectors.email import (
        check_login,
        check_settings,
        smtp_password,
        tls_context,
    )

    settings = app.settings.smtp
    check_settings(settings)
    if not settings.host.strip():
        raise ConfigError(
            "[smtp] host is empty", hint="set the mail server in [smtp] host", code="smtp-config"
        )
    if settings.security != "none":
        tls_context(settings)  # an unreadable [smtp] cafile is refused here
    password = smtp_password(app)
    check_login(settings, password=password, what="the report")  # down, untrusted, wrong login
    return password


def _slack_webhook(app: App) -> Secret:
    """The configured webhook URL, refused when missing, not http(s) or not an allowed host."""
    from accessguard.connectors.registry import http_client
    from accessguard.connectors.slack import CHANNEL, WEBHOOK_ENV, SlackNotifier, webhook_from_env
    from accessguard.connectors.tokens import connector_secrets

    secrets = webhook_from_env() or connector_secrets(app, "notifiers", CHANNEL)
    url = secrets.get("url")
    if not url or not url.reveal().strip():
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
    http = http_client(app)
    try:  # the egress rules a post would meet, applied now: nothing is sent here
        http.egress.check(
            url.reveal(),
            service="slack",
            official_hosts=SlackNotifier.official_hosts,
            connector=SlackNotifier.name,
        )
    finally:
        http.close()
    return url


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
    delivery: Delivery,
    *,
    subject: str,
    body: str,
    filename: str,
    page: str,
) -> None:
    """Email ``body`` with the HTML ``page`` attached to the checked recipients."""
    from accessguard.connectors.email import Attachment, send_email

    send_email(
        app.settings.smtp,
        list(delivery.emails),
        subject=subject,
        body=body,
        attachments=[Attachment(filename, page.encode("utf-8"))],
        password=delivery.smtp_password,
        what="the report",
    )


def post_to_slack(app: App, url: Secret, *, subject: str, text: str) -> None:
    """Post the summary through the Slack notifier to the checked webhook ``url``.

    The webhook URL is a bearer secret, so it never comes from the command line: the
    ``ACCESSGUARD_SLACK_WEBHOOK`` environment variable, else the ``slack`` notifier's
    secret ``url`` (Vault, then the OS keyring, as every notifier's secrets): see
    ``prepare_delivery``.
    """
    from accessguard.connectors.registry import build_notifier, http_client
    from accessguard.connectors.slack import CHANNEL

    http = http_client(app)
    try:
        slack = build_notifier(app, "slack", name=CHANNEL, secrets={"url": url}, http=http)
        slack.notify(subject, text)
    finally:
        http.close()
