"""Notify and open-ticket actions; a channel that is not configured becomes a manual step."""

from __future__ import annotations

from collections.abc import Callable

from accessguard.app import App
from accessguard.errors import AccessGuardError
from accessguard.playbooks.context import ActionContext
from accessguard.results import ActionResult

DEFAULT_MESSAGE = "{person.name} <{person.email}> was offboarded (run {run.id})."


def _email_sender(app: App, to: list[str], subject: str) -> Callable[[str], None] | None:
    """Send through the configured SMTP server (password from the keyring, if any)."""
    if not to:
        return None

    def send(body: str) -> None:
        import smtplib
        from email.message import EmailMessage

        smtp = app.settings.smtp
        message = EmailMessage()
        message["From"] = smtp.sender
        message["To"] = ", ".join(to)
        message["Subject"] = subject
        message.set_content(body)
        try:
            with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as client:
                if smtp.starttls:
                    client.starttls()
                if smtp.username:
                    import keyring

                    password = keyring.get_password("accessguard", f"smtp:{smtp.username}")
                    client.login(smtp.username, password or "")
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise AccessGuardError(f"email to {', '.join(to)} failed: {exc}", code="smtp") from None

    return send


def _channel_sender(app: App, channel: str) -> Callable[[str], None] | None:
    """The configured Slack or webhook notifier, or None when it is not set up."""
    try:
        from accessguard.connectors.notifiers import get_notifier
    except ModuleNotFoundError:
        return None
    notifier = get_notifier(app, channel)
    if notifier is None:
        return None
    return lambda text: notifier.send(text)


def notify(ctx: ActionContext) -> ActionResult:
    """Send the message; unconfigured channels become a manual step with the exact text."""
    args = ctx.step.args
    channel = str(args["channel"])
    text = ctx.render(str(args.get("message") or DEFAULT_MESSAGE))
    if channel == "email":
        subject = ctx.render(str(args.get("subject") or "Offboarding of {person.email}"))
        sender = _email_sender(ctx.app, list(args.get("to") or []), subject)
    else:
        sender = _channel_sender(ctx.app, channel)
    if sender is None:
        return ActionResult.waiting(
            f"send the {channel} message by hand ({channel} is not configured)",
            f"Post this to the {channel} channel the playbook intends, then confirm:\n{text}",
            channel=channel,
        )
    try:
        sender(text)
    except AccessGuardError as exc:
        return ActionResult.failed(f"{channel}: {exc.message}", code=exc.code)
    return ActionResult.changed(f"sent to {channel}", channel=channel)


def open_ticket(ctx: ActionContext) -> ActionResult:
    """Open a ticket; without a configured tracker, a manual step with the exact text."""
    args = ctx.step.args
    summary = ctx.render(str(args["summary"]))
    description = ctx.render(str(args.get("description") or DEFAULT_MESSAGE))
    tracker = _channel_sender(ctx.app, str(args.get("system") or "jira"))
    if tracker is None:
        return ActionResult.waiting(
            f"open the ticket by hand: {summary}",
            f"Open a ticket titled {summary!r} with this description, then confirm with its key:\n{description}",
        )
    try:
        tracker(f"{summary}\n\n{description}")
    except AccessGuardError as exc:
        return ActionResult.failed(f"ticket: {exc.message}", code=exc.code)
    return ActionResult.changed(f"ticket opened: {summary}")
