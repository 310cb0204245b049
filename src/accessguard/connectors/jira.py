"""Jira: open an issue (offboarding tickets, manual removals for another team).

Settings: ``base_url`` (https://example.atlassian.net), ``project_key``, ``email`` (the
API user); optional ``issue_type`` (default Task), ``labels``. Secret: ``token`` (API
token; basic auth ``email:token``). Uses REST API v2, whose ``description`` is plain text.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from accessguard.connectors.notify import Notifier
from accessguard.results import ActionResult
from accessguard.secret import Secret


class JiraTicketer(Notifier):
    """Create Jira issues."""

    name: ClassVar[str] = "jira"
    required_settings: ClassVar[tuple[str, ...]] = ("base_url", "project_key", "email")
    summary: ClassVar[str] = "notify: open a Jira issue"

    def _headers(self) -> dict[str, str]:
        raw = f"{self.settings['email']}:{self.secret()}".encode()
        # Registered as a Secret so the redacting log filter masks the encoded form too.
        basic = Secret(base64.b64encode(raw).decode())
        return {"Authorization": f"Basic {basic.reveal()}", "Accept": "application/json"}

    def open_ticket(
        self,
        summary: str,
        description: str,
        *,
        labels: Iterable[str] = (),
        issue_type: str | None = None,
    ) -> ActionResult:
        """Create an issue; ``changed`` with ``key`` and ``link`` in the details."""
        fields: dict[str, Any] = {
            "project": {"key": self.settings["project_key"]},
            "summary": summary[:250],
            "description": description,
            "issuetype": {"name": issue_type or self.settings.get("issue_type") or "Task"},
        }
        all_labels = [*list(self.settings.get("labels") or []), *labels]
        if all_labels:
            fields["labels"] = [label.replace(" ", "-") for label in all_labels]
        body = self.call(
            "POST",
            "/rest/api/2/issue",
            headers=self._headers(),
            json_body={"fields": fields},
            idempotent=False,
        ).json()
        key = str(body.get("key"))
        return ActionResult.changed(f"opened {key}", key=key, link=f"{self.base_url}/browse/{key}")

    def notify(
        self, subject: str, text: str, *, details: Mapping[str, Any] | None = None
    ) -> ActionResult:
        """A notification is a ticket."""
        extra = "\n".join(f"* {k}: {v}" for k, v in (details or {}).items() if v is not None)
        return self.open_ticket(subject, f"{text}\n\n{extra}".strip())

    def check(self) -> ActionResult:
        """Read the API user (safe: creates nothing)."""
        body = self.call("GET", "/rest/api/2/myself", headers=self._headers()).json()
        who = body.get("displayName") or self.settings["email"]
        return ActionResult.unchanged(f"Jira answers as {who}")
