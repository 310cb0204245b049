"""A Google Workspace Directory API v1 fake: ``users.list`` as its discovery document defines it.

Shaped from Google's discovery document ``admin:directory_v1`` (the ``directory.users.list``
method: ``GET admin/directory/v1/users`` with ``customer`` or ``domain``, ``query``,
``maxResults`` 1-500, ``pageToken``, ``fields``; the ``Users`` response ``kind``
``admin#directory#users``, ``users``, ``nextPageToken``; the ``User`` schema's
``primaryEmail``, ``isAdmin``, ``isEnrolledIn2Sv``, ``recoveryEmail``, ``recoveryPhone``),
as published in googleapis/google-api-go-client ``admin/directory/v1/admin-api.json``,
and Google's error envelope ``{"error": {"code", "message", "status"}}``. Only the
``isAdmin=true`` search is understood: another query is answered 400, as an unsupported
one would be.
"""

from __future__ import annotations

from typing import Any

from support.fake_http import FakeServer, Reply, Request, next_id

USERS_PATH = "/admin/directory/v1/users"


def _error(code: int, message: str, status: str) -> Reply:
    return Reply(code, {"error": {"code": code, "message": message, "status": status}})


class WorkspaceFake(FakeServer):
    """Users of one customer; super admins are the users with ``isAdmin``."""

    def __init__(
        self,
        *,
        token: str = "workspace-test-token",
        customer: str = "C01abc234",
        domain: str = "example.com",
        page_size: int | None = None,
    ) -> None:
        super().__init__()
        self.token, self.customer, self.domain = token, customer, domain
        self.page_size = page_size  # smaller pages than asked, to exercise nextPageToken
        self.users: list[dict[str, Any]] = []
        self.pages_served = 0  # the load a scan puts on the tenant

    def add_user(
        self,
        email: str,
        *,
        admin: bool = True,
        enrolled_2sv: bool = True,
        recovery_email: str | None = None,
        recovery_phone: str | None = None,
    ) -> None:
        user: dict[str, Any] = {
            "kind": "admin#directory#user",
            "id": next_id(),
            "primaryEmail": email,
            "isAdmin": admin,
            "isDelegatedAdmin": False,
            "isEnrolledIn2Sv": enrolled_2sv,
            "isEnforcedIn2Sv": False,
            "customerId": self.customer,
        }
        if recovery_email:
            user["recoveryEmail"] = recovery_email
        if recovery_phone:
            user["recoveryPhone"] = recovery_phone
        self.users.append(user)

    def route(self, request: Request) -> Reply:
        if request.header("authorization") != f"Bearer {self.token}":
            return _error(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED")
        if request.path != USERS_PATH or request.method != "GET":
            return _error(404, "Not Found", "NOT_FOUND")
        customer, domain = request.query.get("customer"), request.query.get("domain")
        if customer not in (None, "my_customer", self.customer) or domain not in (
            None,
            self.domain,
        ):
            return _error(403, "Not Authorized to access this resource/api", "PERMISSION_DENIED")
        if customer is None and domain is None:
            return _error(400, "Bad Request", "INVALID_ARGUMENT")
        query = request.query.get("query")
        if query not in (None, "isAdmin=true"):
            return _error(400, "Invalid Input", "INVALID_ARGUMENT")
        size = int(request.query.get("maxResults", "100"))
        if not 1 <= size <= 500:
            return _error(400, "Invalid Input: maxResults", "INVALID_ARGUMENT")
        size = min(size, self.page_size or size)
        users = [u for u in self.users if query is None or u["isAdmin"]]
        start = int(request.query.get("pageToken") or 0)
        body: dict[str, Any] = {"kind": "admin#directory#users", "etag": '"e"'}
        self.pages_served += 1
        page = users[start : start + size]
        if page:
            body["users"] = page
        if start + size < len(users):
            body["nextPageToken"] = str(start + size)
        return Reply(200, body)
