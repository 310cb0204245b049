"""A Merchant API fake (Accounts sub-API): account users, shaped from Google's protos and reference.

Shaped from googleapis/googleapis ``google/shopping/merchant/accounts/v1/user.proto`` and
the REST reference of ``accounts.users``: ``ListUsers`` is ``GET
/accounts/v1/{parent=accounts/*}/users`` (``pageSize`` at most 100, default 50,
``pageToken``; answer ``users``, ``nextPageToken``); ``DeleteUser`` is ``DELETE
/accounts/v1/{name=accounts/*/users/*}`` answering an empty object; a ``User`` is
``name`` (``accounts/{account}/users/{email}``), ``state`` (``PENDING`` until the invited
person accepts, then ``VERIFIED``) and ``accessRights`` (``ADMIN``, ``STANDARD``,
``READ_ONLY``, ``PERFORMANCE_REPORTING``, ``API_DEVELOPER``). The last admin cannot be
deleted ("The user to be deleted can't be the last admin user of that account").
``GetAccount`` answers ``name``, ``accountId``, ``accountName``. Errors use Google's
envelope ``{"error": {"code", "message", "status"}}``; a version that is not served
answers Google's plain 404 page. The email in a path is one percent-encoded segment,
decoded as gRPC transcoding does.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from support.fake_http import FakeServer, Reply, Request


def _error(code: int, message: str, status: str) -> Reply:
    return Reply(code, {"error": {"code": code, "message": message, "status": status}})


class MerchantFake(FakeServer):
    """One Merchant Center account and its users, by email."""

    def __init__(
        self,
        *,
        token: str = "merchant-oauth-token",
        account_id: str = "5551234",
        version: str = "v1",
        page_size: int = 50,
    ) -> None:
        super().__init__()
        self.token, self.account_id, self.version = token, account_id, version
        self.page_size = page_size
        self.users: dict[str, dict[str, Any]] = {}
        #: someone removes the user in the Merchant Center UI just before our delete.
        self.removed_by_someone_else = False

    def add_user(
        self, email: str, rights: tuple[str, ...] = ("STANDARD",), *, pending: bool = False
    ) -> None:
        """A user (an invitation not yet accepted when ``pending``)."""
        self.users[email] = {
            "name": f"accounts/{self.account_id}/users/{email}",
            "state": "PENDING" if pending else "VERIFIED",
            "accessRights": list(rights),
        }

    def emails(self) -> set[str]:
        """Emails of every user left (pending ones too)."""
        return set(self.users)

    def settings(self, **extra: Any) -> dict[str, Any]:
        """Account settings pointing the google_merchant connector here."""
        return {"base_url": self.url, "account_id": self.account_id} | extra

    def route(self, request: Request) -> Reply:
        prefix = f"/accounts/{self.version}/accounts/{self.account_id}"
        if not request.path.startswith(f"/accounts/{self.version}/"):
            return Reply(
                404, f"<html><p>The requested URL <code>{request.path}</code> was not found"
            )
        if request.header("authorization") != f"Bearer {self.token}":
            return _error(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED")
        if not request.path.startswith(f"{prefix}/") and request.path != prefix:
            return _error(
                403, "The caller does not have access to the account.", "PERMISSION_DENIED"
            )
        tail = request.path.removeprefix(prefix)
        if request.method == "GET" and tail == "":
            return Reply(
                200,
                {
                    "name": f"accounts/{self.account_id}",
                    "accountId": self.account_id,
                    "accountName": "Northwind Shop",
                },
            )
        if request.method == "GET" and tail == "/users":
            return self._list(request)
        found = re.fullmatch(r"/users/([^/]+)", tail)
        if request.method == "DELETE" and found:
            return self._delete(unquote(found.group(1)))
        return _error(404, "Method not found.", "NOT_FOUND")

    def _list(self, request: Request) -> Reply:
        size = int(request.query.get("pageSize") or 50)
        if size < 0:
            return _error(400, "Invalid page size.", "INVALID_ARGUMENT")
        size = min(size or 50, 100, self.page_size)
        start = int(request.query.get("pageToken") or 0)
        users = list(self.users.values())
        body: dict[str, Any] = {"users": users[start : start + size]}
        if start + size < len(users):
            body["nextPageToken"] = str(start + size)
        return Reply(200, body)

    def _delete(self, email: str) -> Reply:
        if self.removed_by_someone_else:
            self.users.pop(email, None)
        if email not in self.users:
            return _error(404, f"User {email} not found.", "NOT_FOUND")
        admins = [u for u in self.users.values() if "ADMIN" in u["accessRights"]]
        if "ADMIN" in self.users[email]["accessRights"] and len(admins) == 1:
            return _error(
                400,
                "The user to be deleted can't be the last admin user of that account.",
                "FAILED_PRECONDITION",
            )
        del self.users[email]
        return Reply(200, {})
