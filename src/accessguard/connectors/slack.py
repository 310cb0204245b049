"""Slack incoming webhook: post a message to the channel the webhook belongs to.

Secret: ``url`` (the incoming-webhook URL is itself the credential). Slack answers
``ok`` on success and plain-text errors (``invalid_payload``, ``channel_is_archived``)
with 4xx statuses, which become PermanentConnectorError without the URL in the text.

The URL never comes from the command line (``ps``, shell history): the report's webhook
is ``ACCESSGUARD_SLACK_WEBHOOK``, else the ``slack`` notifier's secrets (Vault, keyring).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar

from accessguard.connectors.notify import Notifier
from accessguard.results import ActionResult
from accessguard.secret import Secret

#: The notifier name whose secret ``url`` is the default webhook (reports, playbooks).
CHANNEL = "slack"
WEBHOOK_ENV = "ACCESSGUARD_SLACK_WEBHOOK"


def webhook_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Secret] | None:
    """``{"url": ...}`` from ``ACCESSGUARD_SLACK_WEBHOOK``; None (read Vault, keyring) if unset."""
    env = os.environ if environ is None else environ
    value = env.get(WEBHOOK_ENV)
    return {"url": Secret(value)} if value else None


class SlackNotifier(Notifier):
    """Post to Slack through an incoming webhook."""

    name: ClassVar[str] = "slack"
    secret_keys: ClassVar[tuple[str, ...]] = ("url",)
    #: incoming webhooks live on this host; any other must be in ``[connectors] allowed_hosts``.
    official_hosts: ClassVar[tuple[str, ...]] = ("hooks.slack.com",)
    summary: ClassVar[str] = "notify: Slack incoming webhook"

    def notify(
        self,
        subject: str,
        text: str,
        *,
        details: Mapping[str, Any] | None = None,
        key: str | None = None,
    ) -> ActionResult:
        """Post ``*subject*`` and ``text`` (plus details as a list).

        Incoming webhooks cannot drop a repeat, so ``key`` goes unused: a run killed
        after posting and before recording it posts again when resumed.
        """
        lines = [f"*{subject}*", text]
        lines += [
            f"• {key}: {value}" for key, value in (details or {}).items() if value is not None
        ]
        payload = {
            "text": f"{subject}: {text}",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}],
        }
        url = self.secret("url")  # before the client: no HTTP imports when it is missing
        self.http.request(
            "POST",
            url,
            service=self.label,
            connector=self.name,
            what="incoming webhook",
            json_body=payload,
            idempotent=False,
            official_hosts=self.official_hosts,
        )
        return ActionResult.changed("posted to Slack")
