"""Jira: open an issue (offboarding tickets, manual removals for another team).

Settings: ``base_url`` (https://example.atlassian.net), ``project_key``, ``email`` (the
API user); optional ``issue_type`` (default Task), ``labels``. Secret: ``token`` (API
token; basic auth ``email:token``). Uses REST API v2, whose ``description`` is plain text.

An issue opened for a playbook item carries a label derived from the item's idempotency
key (``accessguard-<16 hex>``). Before opening one, the project is searched for that
label, so a resumed run finds the issue it already opened instead of opening another:
with ``GET /rest/api/2/search/jql`` (Jira Cloud; with ``reconcileIssues`` naming the
issues this process opened, since that search is eventually consistent), or ``GET /rest/api/2/search`` where
that endpoint does not exist (Jira Data Center and Server).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from accessguard.connectors.notify import Notifier
from accessguard.connectors.settings import Setting
from accessguard.results import ActionResult
from accessguard.secret import Secret

#: Ids of the issues this process opened, per Jira site and project. Jira Cloud's
#: ``/search/jql`` is eventually consistent: an issue opened a moment ago may not be in
#: its index yet, unless its id is passed in ``reconcileIssues`` (at most 50), which
#: makes the search read it consistently. A retried or resumed item in this process
#: therefore finds the issue it opened instead of opening a second one.
_OPENED: dict[tuple[str, str], list[int]] = {}
_RECONCILE_MAX = 50


class JiraTicketer(Notifier):
    """Create Jira issues."""

    name: ClassVar[str] = "jira"
    settings_spec: ClassVar[tuple[Setting, ...]] = (
        Setting("base_url", "url", required=True, help="https://example.atlassian.net"),
        Setting("project_key", "text", required=True, help="the project issues are opened in"),
        Setting("email", "text", required=True, help="the API user's email (basic auth)"),
        Setting("issue_type", "text", help="issue type (default Task)"),
        Setting("labels", "list", help="labels added to every issue"),
    )
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
        key: str | None = None,
    ) -> ActionResult:
        """Create an issue; ``changed`` with ``key`` and ``link`` in the details.

        With ``key`` (the same for every attempt), an issue already opened with it is
        found and reported ``unchanged`` instead of opening a second one.
        """
        dedupe = f"accessguard-{hashlib.sha256(key.encode()).hexdigest()[:16]}" if key else None
        if dedupe and (found := self._labelled(dedupe)):
            return ActionResult.unchanged(
                f"{found} was already opened", key=found, link=f"{self.base_url}/browse/{found}"
            )
        fields: dict[str, Any] = {
            "project": {"key": self.settings["project_key"]},
            "summary": summary[:250],
            "description": description,
            "issuetype": {"name": issue_type or self.settings.get("issue_type") or "Task"},
        }
        all_labels = [*list(self.settings.get("labels") or []), *labels]
        if dedupe:
            all_labels.append(dedupe)
        if all_labels:
            fields["labels"] = [label.replace(" ", "-") for label in all_labels]
        body = self.call_json(
            "POST",
            "/rest/api/2/issue",
            headers=self._headers(),
            json_body={"fields": fields},
            idempotent=False,
        )
        key = str(body.get("key"))
        if str(body.get("id", "")).isdigit():
            opened = _OPENED.setdefault(self._site(), [])
            opened.append(int(body["id"]))
            del opened[:-_RECONCILE_MAX]
        return ActionResult.changed(f"opened {key}", key=key, link=f"{self.base_url}/browse/{key}")

    def _site(self) -> tuple[str, str]:
        return (self.base_url, str(self.settings["project_key"]))

    def _labelled(self, label: str) -> str | None:
        """The key of an issue in the project carrying ``label``, if there is one."""
        jql = f'project = "{self.settings["project_key"]}" AND labels = "{label}"'
        params: dict[str, Any] = {"jql": jql, "fields": "summary", "maxResults": 1}
        headers = self._headers()
        recent = _OPENED.get(self._site(), [])
        cloud = {**params, "reconcileIssues": list(recent)} if recent else params
        response = self.call(
            "GET", "/rest/api/2/search/jql", headers=headers, params=cloud, allow=(404,)
        )
        if response.status_code == 404:  # Data Center and Server: the classic search
            response = self.call("GET", "/rest/api/2/search", headers=headers, params=params)
        body = self.json_of(response, "GET", "/rest/api/2/search")
        issues = (body.get("issues") if isinstance(body, dict) else None) or []
        return str(issues[0]["key"]) if issues else None

    def notify(
        self,
        subject: str,
        text: str,
        *,
        details: Mapping[str, Any] | None = None,
        key: str | None = None,
    ) -> ActionResult:
        """A notification is a ticket (found again by ``key``, if given)."""
        extra = "\n".join(f"* {k}: {v}" for k, v in (details or {}).items() if v is not None)
        return self.open_ticket(subject, f"{text}\n\n{extra}".strip(), key=key)

    def check(self) -> ActionResult:
        """Read the API user (safe: creates nothing)."""
        body = self.call_json("GET", "/rest/api/2/myself", headers=self._headers())
        who = body.get("displayName") or self.settings["email"]
        return ActionResult.unchanged(f"Jira answers as {who}")
