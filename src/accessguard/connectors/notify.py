"""Notifiers: connectors that tell people or systems something instead of revoking access.

``webhook``, ``slack`` and ``jira`` implement ``notify(subject, text, details=..., key=...)``;
``jira`` also ``open_ticket(summary, description, ...)``. ``key`` is the same for every
retry and resume of one delivery (a playbook item's idempotency key): the webhook sends
it as ``Idempotency-Key`` so the receiver can drop a repeat, Jira finds the issue it
already opened with it; Slack's incoming webhooks have no way to drop a repeat. Build one with
``registry.build_notifier(app, kind, name=..., settings=...)``. As account connectors
their ``revoke`` asks someone else to act and returns WAITING.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from accessguard.connectors.base import Holder, Target
from accessguard.connectors.http_connector import HttpConnector
from accessguard.results import ActionResult


class Notifier(HttpConnector):
    """A connector whose job is to deliver a message."""

    can_list: ClassVar[bool] = False
    can_revoke: ClassVar[bool] = False

    @abstractmethod
    def notify(
        self,
        subject: str,
        text: str,
        *,
        details: Mapping[str, Any] | None = None,
        key: str | None = None,
    ) -> ActionResult:
        """Deliver one message (``key``: the same for every attempt at it); ``changed`` when delivered."""

    def list_holders(self) -> list[Holder]:
        """Notifiers hold no access."""
        self.cannot_list()

    def revoke(self, target: Target) -> ActionResult:
        """Ask the receiving side to remove ``target``, and wait for their confirmation."""
        where = self.account.name if self.account else self.name
        subject = f"Remove access for {target.email} ({where})"
        text = (
            f"Please remove every access {target.email} holds on {where}"
            f"{f' (role {target.role})' if target.role else ''}, then confirm."
        )
        sent = self.notify(subject, text, details={"email": target.email, "role": target.role})
        return ActionResult.waiting(
            subject,
            f"{text}\nRequest sent via {self.name}: {sent.message}. "
            "Confirm this step with evidence once it is done.",
            **sent.details,
        )

    def check(self) -> ActionResult:
        """Delivery channels are not probed (that would send a message)."""
        self.secret(self.secret_keys[0])
        return ActionResult.unchanged(f"{self.name}: configured (not probed, to avoid sending)")
