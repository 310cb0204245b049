"""Local receivers for notifiers: Jira's issue API and webhook / Slack incoming-webhook sinks."""

from __future__ import annotations

import base64
import re
from typing import Any

from support.fake_http import FakeServer, Reply, Request


class JiraFake(FakeServer):
    """POST /rest/api/2/issue, GET /rest/api/2/myself, and JQL search by project and label.

    Search is ``GET /rest/api/2/search/jql`` (Jira Cloud's enhanced search: issue ids, and
    the ``fields`` asked for), or with ``data_center=True`` only the classic
    ``GET /rest/api/2/search`` (Jira Data Center and Server).
    """

    def __init__(
        self,
        *,
        email: str = "bot@example.com",
        token: str = "jira-test-token",
        project: str = "IT",
        data_center: bool = False,
        index_lag: bool = False,
    ) -> None:
        super().__init__()
        self.expected = "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()
        self.project = project
        self.data_center = data_center
        self.issues: list[dict[str, Any]] = []
        #: Jira Cloud's search is eventually consistent: with ``index_lag``, new issues
        #: are not in ``/search/jql`` results until ``reindex()``, unless their id is
        #: among the ``reconcileIssues`` of the request (as Atlassian documents).
        self.index_lag = index_lag
        self.indexed = 0

    def reindex(self) -> None:
        """The search index catches up with every issue."""
        self.indexed = len(self.issues)

    def _search(self, request: Request) -> Reply:
        jql = request.query.get("jql", "")
        project = re.search(r'project = "([^"]+)"', jql)
        label = re.search(r'labels = "([^"]+)"', jql)
        reconciled = (
            {int(v) for v in request.query_all.get("reconcileIssues", []) if v.isdigit()}
            if request.path.endswith("/search/jql")
            else set()
        )
        visible = [
            issue
            for number, issue in enumerate(self.issues, start=10001)
            if not self.index_lag or number - 10000 <= self.indexed or number in reconciled
        ]
        found = [
            issue
            for issue in visible
            if (project is None or issue["key"].startswith(f"{project.group(1)}-"))
            and (label is None or label.group(1) in (issue.get("labels") or []))
        ][: int(request.query.get("maxResults", "50"))]
        issues = [
            {
                "id": str(10000 + self.issues.index(i) + 1),
                "key": i["key"],
                "fields": {"summary": i["summary"]},
            }
            for i in found
        ]
        if request.path.endswith("/search/jql"):
            return Reply(200, {"issues": issues, "isLast": True})
        return Reply(200, {"startAt": 0, "maxResults": 50, "total": len(issues), "issues": issues})

    def route(self, request: Request) -> Reply:
        if request.header("authorization") != self.expected:
            return Reply(
                401,
                {
                    "errorMessages": [
                        "You are not authenticated. Authentication required to perform this operation."
                    ],
                    "errors": {},
                },
            )
        if request.path == "/rest/api/2/myself":
            return Reply(200, {"displayName": "Offboarding Bot"})
        if request.method == "GET" and (
            request.path == "/rest/api/2/search"
            or (request.path == "/rest/api/2/search/jql" and not self.data_center)
        ):
            return self._search(request)
        if request.path == "/rest/api/2/issue" and request.method == "POST":
            fields = (request.json() or {}).get("fields") or {}
            errors = {}
            if (fields.get("project") or {}).get("key") != self.project:
                errors["project"] = "valid project is required"
            if not fields.get("summary"):
                errors["summary"] = "You must specify a summary of the issue."
            if not (fields.get("issuetype") or {}).get("name"):
                errors["issuetype"] = "valid issue type is required"
            if errors:
                return Reply(400, {"errorMessages": [], "errors": errors})
            key = f"{self.project}-{len(self.issues) + 1}"
            self.issues.append({"key": key, **fields})
            return Reply(
                201,
                {
                    "id": str(10000 + len(self.issues)),
                    "key": key,
                    "self": f"{self.url}/rest/api/2/issue/{key}",
                },
            )
        return Reply(404, {"errorMessages": ["Not found"], "errors": {}})


class WebhookSink(FakeServer):
    """Receives webhook and Slack incoming-webhook posts (``slack=True``: Slack's answers)."""

    def __init__(self, *, slack: bool = False) -> None:
        super().__init__()
        self.slack = slack
        self.archived = False
        self.received: list[Request] = []

    def route(self, request: Request) -> Reply:
        if request.method != "POST":
            return Reply(405, "method_not_allowed")
        if self.slack:
            body = request.json()
            if self.archived:
                return Reply(410, "channel_is_archived")
            if not isinstance(body, dict) or not body.get("text"):
                return Reply(400, "invalid_payload")
            self.received.append(request)
            return Reply(200, "ok")
        self.received.append(request)
        return Reply(204)
