"""A local fake of Meta's Graph API: business users, pending invitations, the people
assigned to a Page, an Instagram business asset and an ad account, and the Page's
partner businesses on each asset (agencies), shaped from the official node specs; the
lock-out facts too: the business's ``two_factor_type`` (``Business.json``, values of
``business_two_factor_type``) and each business user's ``two_fac_status`` and
``pending_email`` (``BusinessUser.json``), answered only when ``fields`` asks for them
and omitted when empty, as Graph does. A field the node does not have is refused (#100).

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


#: Fields of the Business and BusinessUser nodes the fake answers (a subset of the specs').
BUSINESS_FIELDS = {"id", "name", "two_factor_type"}
BUSINESS_USER_FIELDS = {
    "id",
    "name",
    "email",
    "role",
    "title",
    "first_name",
    "last_name",
    "tasks",
    "two_fac_status",
    "pending_email",
}


def _no_field(names: set[str], node: str) -> Reply:
    """Graph's answer to a ``fields`` name the node does not have."""
    return Reply(
        400,
        _graph_error(
            f"(#100) Tried accessing nonexisting field ({sorted(names)[0]}) on node type ({node})",
            100,
            kind="OAuthException",
        ),
    )


class MetaFake(FakeServer):
    """Graph API: business_users, pending_users, assigned_users, agencies, DELETE of a node."""

    def __init__(
        self,
        *,
        token: str = "meta-test-token",
        business_id: str = "4411",
        page_id: str = "7722",
        instagram_id: str = "8833",
        ad_account_id: str = "act_9944",
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
        self.ad_account_id = ad_account_id
        self.ad_tasks: dict[str, list[str]] = {}
        self.assets = {
            page_id: self.page_tasks,
            instagram_id: self.instagram_tasks,
            ad_account_id: self.ad_tasks,
        }
        #: pending business invitations (BusinessRoleRequest) by id.
        self.invitations: dict[str, dict[str, Any]] = {}
        #: partner businesses (``/{asset}/agencies``) by asset id, then business id.
        self.asset_agencies: dict[str, dict[str, dict[str, Any]]] = {a: {} for a in self.assets}
        #: the Page's partner businesses by id.
        self.agencies = self.asset_agencies[page_id]
        #: answer every DELETE with success but change nothing (a removal that did not take).
        self.deletes_ignored = False
        #: where ``paging.next`` points (a hostile platform answer when set elsewhere).
        self.next_base: str | None = None
        #: the business-wide 2FA requirement: admin_required, all_required or none.
        self.two_factor_type = "all_required"

    def add_user(
        self,
        email: str,
        name: str = "",
        *,
        role: str = "EMPLOYEE",
        page_tasks: list[str] | None = None,
        instagram_tasks: list[str] | None = None,
        ad_tasks: list[str] | None = None,
        two_fac_status: str | None = "enabled",
        pending_email: str | None = None,
    ) -> str:
        """Add a business user (optionally assigned to the Page / Instagram); returns their id."""
        uid = next_id()
        self.users[uid] = {
            "id": uid,
            "name": name or email.split("@")[0],
            "email": email,
            "role": role,
        }
        if two_fac_status:
            self.users[uid]["two_fac_status"] = two_fac_status
        if pending_email:
            self.users[uid]["pending_email"] = pending_email
        if page_tasks:
            self.page_tasks[uid] = list(page_tasks)
        if instagram_tasks:
            self.instagram_tasks[uid] = list(instagram_tasks)
        if ad_tasks:
            self.ad_tasks[uid] = list(ad_tasks)
        return uid

    def add_invitation(self, email: str, role: str = "EMPLOYEE") -> str:
        """A pending invitation to the business; returns the request id."""
        rid = next_id()
        self.invitations[rid] = {"id": rid, "email": email, "role": role, "status": "PENDING"}
        return rid

    def add_agency(self, name: str, *, assets: list[str] | None = None) -> str:
        """A partner business on the Page (or on ``assets``); returns its business id."""
        bid = next_id()
        for asset in assets or [self.page_id]:
            self.asset_agencies[asset][bid] = {"id": bid, "name": name}
        return bid

    def invited_emails(self) -> set[str]:
        """Emails of the invitations still pending."""
        return {i["email"] for i in self.invitations.values()}

    def ad_account_emails(self) -> set[str]:
        """Emails of the people still assigned to the ad account."""
        return {self.users[uid]["email"] for uid in self.ad_tasks if uid in self.users}

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
            "ad_account_ids": [self.ad_account_id],
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
        if self.deletes_ignored and request.method == "DELETE":
            return Reply(200, {"success": True})
        parts = request.path.strip("/").split("/")
        if not parts or parts[0] != self.version:
            return Reply(400, _graph_error("Unknown path components", 2500))
        node, edge = parts[1], parts[2] if len(parts) > 2 else None
        if node == self.business_id and edge == "business_users" and request.method == "GET":
            fields = request.query.get("fields", "id,name").split(",")
            if set(fields) - BUSINESS_USER_FIELDS:
                return _no_field(set(fields) - BUSINESS_USER_FIELDS, "BusinessUser")
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
        if node == self.business_id and edge == "pending_users" and request.method == "GET":
            items = [dict(i) for _, i in sorted(self.invitations.items())]
            return Reply(200, self._page(items, request, request.path))
        if node in self.asset_agencies and edge == "agencies":
            return self._agencies(request, self.asset_agencies[node])
        if node == self.business_id and edge is None and request.method == "GET":
            fields = request.query.get("fields", "id,name").split(",")
            if set(fields) - BUSINESS_FIELDS:
                return _no_field(set(fields) - BUSINESS_FIELDS, "Business")
            business = {
                "id": self.business_id,
                "name": "Northwind Brands",
                "two_factor_type": self.two_factor_type,
            }
            return Reply(200, {k: business[k] for k in fields if business.get(k)})
        if edge is None and request.method == "DELETE" and node in self.invitations:
            del self.invitations[node]  # cancels a BusinessRoleRequest
            return Reply(200, {"success": True})
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
            self.ad_tasks.pop(node, None)
            return Reply(200, {"success": True})
        return Reply(400, _graph_error("Unsupported request", 100, kind="GraphMethodException"))

    def _agencies(self, request: Request, agencies: dict[str, dict[str, Any]]) -> Reply:
        """``GET /{asset}/agencies`` (no parameters); ``DELETE`` with ``business`` only."""
        if request.method == "GET":
            items = [dict(a) for _, a in sorted(agencies.items())]
            return Reply(200, self._page(items, request, request.path))
        if request.method == "DELETE":
            if set(request.query) != {"business"}:
                return Reply(
                    400,
                    _graph_error(
                        "(#100) DELETE agencies takes the parameter business only",
                        100,
                        kind="GraphMethodException",
                    ),
                )
            if agencies.pop(request.query["business"], None) is None:
                return Reply(
                    400,
                    _graph_error(
                        "Unsupported delete request.", 100, subcode=33, kind="GraphMethodException"
                    ),
                )
            return Reply(200, {"success": True})
        return Reply(400, _graph_error("Unsupported request", 100, kind="GraphMethodException"))
