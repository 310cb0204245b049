"""Notify and open-ticket actions; a channel that is not configured becomes a manual step.

Slack, webhook and Jira go through the connectors' notifiers (secrets from Vault
``<prefix>/connectors/notifiers/<target>`` or the keyring); email through the SMTP settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accessguard.errors import AccessGuardError, ConfigError
from accessguard.playbooks.context import ActionContext
from accessguard.playbooks.status import ItemStatus
from accessguard.results import ActionResult

if TYPE_CHECKING:
    from accessguard.app import App

DEFAULT_MESSAGE = "{person.name} <{person.email}> was offboarded (run {run.id})."


def send_email(
    app: App, to: list[str], subject: str, body: str, *, key: str | None = None
) -> ActionResult:
    """Send through the configured SMTP server (password as ``email.smtp_password`` finds it).

    With ``key`` (the same for every attempt), the Message-ID is derived from it: a copy
    sent again by a resumed run is the same message to mail systems that drop duplicates.
    """
    from accessguard.connectors.email import send_email as send
    from accessguard.connectors.email import smtp_password
    from accessguard.errors import ConnectorError

    smtp = app.settings.smtp
    password = smtp_password(app)
    try:
        return send(smtp, to, subject=subject, body=body, password=password, key=key)
    except ConnectorError as exc:  # an unreachable mail server makes the step manual
        raise ConfigError(exc.message, hint=exc.hint, code=exc.code) from None


def nothing_changed(ctx: ActionContext) -> bool:
    """True when ``only_if_changed`` (default) holds and no other step of the run did anything."""
    if ctx.step.args.get("only_if_changed", True) is False:
        return False
    from sqlalchemy import select

    from accessguard.db.tables import run_items

    items = run_items.c
    with ctx.begin() as connection:
        did = connection.execute(
            select(items.id)
            .where(
                items.run_id == ctx.run_id,
                items.step_id != ctx.step.id,
                items.status.in_((ItemStatus.CHANGED, ItemStatus.WAITING, ItemStatus.DONE)),
            )
            .limit(1)
        ).first()
    return did is None


def _manual(channel: str, why: str, text: str) -> ActionResult:
    return ActionResult.waiting(
        f"send the {channel} message by hand ({why})",
        f"Deliver this through {channel} (or the channel your team uses), then confirm:\n{text}",
        channel=channel,
    )


def notify(ctx: ActionContext) -> ActionResult:
    """Send the message; an unconfigured channel becomes a manual step with the exact text."""
    args = ctx.step.args
    channel = str(args["channel"])
    if nothing_changed(ctx):
        return ActionResult.unchanged("nothing changed in this run: no message sent")
    text = ctx.render(str(args.get("message") or DEFAULT_MESSAGE))
    subject = ctx.render(str(args.get("subject") or "Offboarding of {person.email}"))
    try:
        if channel == "email":
            to = list(args.get("to") or [])
            if not to:
                return _manual("email", "no recipients in the playbook", text)
            return send_email(ctx.app, to, subject, text, key=ctx.idempotency_key)
        from accessguard.connectors.registry import build_notifier

        notifier = build_notifier(
            ctx.app, channel, name=str(args.get("target") or channel), settings=args.get("settings")
        )
        return notifier.notify(subject, text, details={"run": ctx.run_id}, key=ctx.idempotency_key)
    except ConfigError as exc:
        return _manual(channel, exc.message, text)
    except AccessGuardError as exc:
        return ActionResult.failed(f"{channel}: {exc.message}", code=exc.code)


def open_ticket(ctx: ActionContext) -> ActionResult:
    """Open a Jira issue; without a configured tracker, a manual step with the exact text."""
    args = ctx.step.args
    if nothing_changed(ctx):
        return ActionResult.unchanged("nothing changed in this run: no ticket opened")
    summary = ctx.render(str(args["summary"]))
    description = ctx.render(str(args.get("description") or DEFAULT_MESSAGE))
    try:
        from accessguard.connectors.registry import build_notifier

        tracker = build_notifier(
            ctx.app, "jira", name=str(args.get("target") or "jira"), settings=args.get("settings")
        )
        open_issue = getattr(tracker, "open_ticket", None)
        if open_issue is None:
            return tracker.notify(summary, description, key=ctx.idempotency_key)
        result: ActionResult = open_issue(
            summary, description, labels=["offboarding"], key=ctx.idempotency_key
        )
        return result
    except ConfigError as exc:
        return ActionResult.waiting(
            f"open the ticket by hand ({exc.message})",
            f"Open a ticket titled {summary!r} with this description, then confirm with its key:\n"
            f"{description}",
        )
    except AccessGuardError as exc:
        return ActionResult.failed(f"ticket: {exc.message}", code=exc.code)
