"""A local fake of Meta's Graph API (business users, Page and Instagram assigned users).

It checks the access token, answers with Graph's ``{"error": {...}}`` envelope and keeps
state tests can inspect. It is shared by the connector tests and the offboarding
end-to-end test: ``with MetaFake() as meta: meta.add_user(...)``, point an account's
``base_url`` at ``meta.url``, then ``meta.business_emails()``.
"""

from __future__ import annotations

from typing import Any

from support.fake_http import FakeServer, Reply, Request, next_id


def _graph_error(
    message: str, code: int, *, subcode: int | None = None, kind: str = "OAuthException"
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "message": message,
        "type": kind,
        "code": code,
        "fbtrace_id": "AbCdEf123",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


class MetaFake(FakeServer):
    """Graph API: /{business}/business_users, /{page}/assigned_users, DELETE /{business-user}."""

    def __init__(
        self,
        *,
        token: str = "meta-test-token",
        business_id: str = "4411",
        page_id: str = "7722",
        instagram_id: str = "8833",
        version: str = "v25.0",
    ) -> None:
        super().__init__()
        self.token, self.business_id, self.page_id, self.version = (
            token,
            business_id,
            page_id,
            version,
        )
        self.instagram_id = instagram_id
        self.users: dict[str, dict[str, Any]] = {}
        self.page_tasks: dict[str, list[str]] = {}
        self.instagram_tasks: dict[str, list[str]] = {}
        self.assets = {page_id: self.page_tasks, instagram_id: self.instagram_tasks}
        #: where ``paging.next`` points (a hostile platform answer when set elsewhere).
        self.next_base: str | None = None

    def add_user(
        self,
        email: str,
        name: str = "",
        *,
        role: str = "EMPLOYEE",
        page_tasks: list[str] | None = None,
        instagram_tasks: list[str] | None = None,
    ) -> str:
        """Add a business user (optionally assigned to the Page / Instagram); returns their id."""
        uid = next_id()
        self.users[uid] = {
            "id": uid,
            "name": name or email.split("@")[0],
            "email": email,
            "role": role,
        }
        if page_tasks:
            self.page_tasks[uid] = list(page_tasks)
        if instagram_tasks:
            self.instagram_tasks[uid] = list(instagram_tasks)
        return uid

    def business_emails(self) -> set[str]:
        """Emails of the business users who remain."""
        return {u["email"] for u in self.users.values()}

    def page_emails(self) -> set[str]:
        """Emails of the people still assigned to the Page."""
        return {self.users[uid]["email"] for uid in self.page_tasks if uid in self.users}

    def instagram_emails(self) -> set[str]:
        """Emails of the people still assigned to the Instagram account."""
        return {self.users[uid]["email"] for uid in self.instagram_tasks if uid in self.users}

    def settings(self) -> dict[str, Any]:
        """Account settings pointing the meta connector here."""
        return {
            "base_url": self.url,
            "business_id": self.business_id,
            "page_id": self.page_id,
            "instagram_asset_id": self.instagram_id,
            "api_version": self.version,
        }

    def _page(self, items: list[dict[str, Any]], request: Request, path: str) -> dict[str, Any]:
        limit = int(request.query.get("limit", 25))
        start = int(request.query.get("after", 0))
        body: dict[str, Any] = {"data": items[start : start + limit], "paging": {}}
        if start + limit < len(items):
            query = "&".join(
                f"{k}={v}" for k, v in {**request.query, "after": start + limit}.items()
            )
            body["paging"] = {
                "cursors": {"after": str(start + limit)},
                "next": f"{self.next_base or self.url}{path}?{query}",
            }
        return body

    def route(self, request: Request) -> Reply:
        if request.header("authorization") != f"Bearer {self.token}":
            return Reply(
                400, _graph_error("Invalid OAuth access token - Cannot parse access token", 190)
            )
        parts = request.path.strip("/").split("/")
        if not parts or parts[0] != self.version:
            return Reply(400, _graph_error("Unknown path components", 2500))
        node, edge = parts[1], parts[2] if len(parts) > 2 else None
        if node == self.business_id and edge == "business_users" and request.method == "GET":
            fields = request.query.get("fields", "id,name").split(",")
            items = [
                {k: u[k] for k in fields if k in u}
                for u in sorted(self.users.values(), key=lambda u: u["id"])
            ]
            return Reply(200, self._page(items, request, request.path))
        if node in self.assets and edge == "assigned_users":
            tasks_of = self.assets[node]
            # The official spec (meta-graph Page/InstagramBusinessAsset.json): GET requires
            # ``business``; DELETE defines ``user`` only.
            if request.method == "DELETE" and set(request.query) - {"user"}:
                extra = sorted(set(request.query) - {"user"})
                return Reply(
                    400,
                    _graph_error(
                        f"(#100) Unexpected parameter(s) for DELETE assigned_users: {extra}",
                        100,
                        kind="GraphMethodException",
                    ),
                )
            if request.method == "GET" and request.query.get("business") != self.business_id:
                return Reply(
                    400,
                    _graph_error(
                        "(#100) The parameter business is required",
                        100,
                        kind="GraphMethodException",
                    ),
                )
            if request.method == "GET":
                items = [
                    {"id": uid, "name": self.users[uid]["name"], "tasks": tasks}
                    for uid, tasks in sorted(tasks_of.items())
                    if uid in self.users
                ]
                return Reply(200, self._page(items, request, request.path))
            if request.method == "DELETE":
                uid = request.query.get("user", "")
                if uid not in tasks_of:
                    return Reply(
                        400,
                        _graph_error(
                            f"Unsupported delete request. Object with ID '{uid}' does not exist",
                            100,
                            subcode=33,
                            kind="GraphMethodException",
                        ),
                    )
                del tasks_of[uid]
                return Reply(200, {"success": True})
        if node == self.business_id and edge is None and request.method == "GET":
            return Reply(200, {"id": self.business_id, "name": "Northwind Brands"})
        if edge is None and request.method == "DELETE":
            if node not in self.users:
                return Reply(
                    400,
                    _graph_error(
                        f"Unsupported delete request. Object with ID '{node}' does not exist",
                        100,
                        subcode=33,
                        kind="GraphMethodException",
                    ),
                )
            del self.users[node]
            self.page_tasks.pop(node, None)
            self.instagram_tasks.pop(node, None)
            return Reply(200, {"success": True})
        return Reply(400, _graph_error("Unsupported request", 100, kind="GraphMethodException"))
