"""A Google Ads API (REST) fake: account users and invitations, shaped from Google's protos.

Shaped from googleapis/googleapis ``google/ads/googleads/v21``: the resources
``CustomerUserAccess`` (``customers/{customer_id}/customerUserAccesses/{user_id}``:
``user_id``, ``email_address``, ``access_role``, ``access_creation_date_time``,
``inviter_user_email_address``) and ``CustomerUserAccessInvitation``
(``customers/{customer_id}/customerUserAccessInvitations/{invitation_id}``:
``invitation_id``, ``access_role``, ``email_address``, ``creation_date_time``,
``invitation_status``); ``GoogleAdsService.Search`` (``POST
/{version}/customers/{customer_id}/googleAds:search``, body ``query``, ``pageToken``;
answer ``results``, ``nextPageToken``, ``fieldMask``); the services'
``…/customerUserAccesses:mutate`` and ``…/customerUserAccessInvitations:mutate`` taking
one ``operation`` with ``remove`` (a resource name) and answering ``result.resourceName``;
errors as ``{"error": {"code", "message", "status", "details": [GoogleAdsFailure]}}``
with ``errorCode`` such as ``customerUserAccessError: LAST_ADMIN_USER_OF_SERVING_CUSTOMER``.
Headers: ``Authorization: Bearer``, ``developer-token``, ``login-customer-id`` (required
when the token's user reaches the customer through a manager). A version Google has
retired answers ``requestError: UNSUPPORTED_VERSION``; one it never had, its plain 404 page.
"""

from __future__ import annotations

import re
from typing import Any

from support.fake_http import FakeServer, Reply, Request, next_id

FIELDS = {
    "customer_user_access": {
        "resource_name",
        "user_id",
        "email_address",
        "access_role",
        "access_creation_date_time",
        "inviter_user_email_address",
    },
    "customer_user_access_invitation": {
        "resource_name",
        "invitation_id",
        "access_role",
        "email_address",
        "creation_date_time",
        "invitation_status",
    },
    "customer": {"resource_name", "id", "descriptive_name"},
}
_ROUTE = re.compile(r"^/(v\d+(?:_\d+)?)/customers/(\d+)/([A-Za-z]+):(search|mutate)$")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def ads_error(status: int, grpc: str, kind: str, value: str, message: str) -> Reply:
    """Google Ads' error envelope with one GoogleAdsError."""
    failure = {
        "@type": "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure",
        "errors": [{"errorCode": {kind: value}, "message": message}],
        "requestId": "fake-request-id",
    }
    outer = {401: "Request is missing required authentication credential."}.get(
        status, "Request contains an invalid argument."
    )
    return Reply(
        status, {"error": {"code": status, "message": outer, "status": grpc, "details": [failure]}}
    )


class GoogleAdsFake(FakeServer):
    """One Google Ads customer: its users (by user id) and invitations (by invitation id)."""

    def __init__(
        self,
        *,
        token: str = "ads-oauth-token",
        developer_token: str = "ads-developer-token",
        customer_id: str = "1234567890",
        manager_id: str | None = None,
        version: str = "v26",
        retired: tuple[str, ...] = ("v21", "v22"),
        page_size: int = 10000,
    ) -> None:
        super().__init__()
        self.token, self.developer_token = token, developer_token
        self.customer_id, self.manager_id = customer_id, manager_id
        self.version, self.retired, self.page_size = version, retired, page_size
        self.users: dict[str, dict[str, Any]] = {}
        self.invitations: dict[str, dict[str, Any]] = {}
        #: a manager account owns the customer (then its last admin may go).
        self.has_manager = manager_id is not None
        #: answer every remove with success but change nothing (a removal that did not take).
        self.removes_ignored = False
        #: act on the next remove, then answer 503 as if the answer were lost on the way.
        self.lose_next_answer = False

    def add_user(self, email: str, role: str = "STANDARD") -> str:
        """A user with access; returns the user id."""
        uid = next_id()
        self.users[uid] = {
            "resource_name": f"customers/{self.customer_id}/customerUserAccesses/{uid}",
            "user_id": uid,  # int64: a string in JSON
            "email_address": email,
            "access_role": role,
            "access_creation_date_time": "2025-03-05 09:15:00",
            "inviter_user_email_address": "owner@example.com",
        }
        return uid

    def add_invitation(self, email: str, role: str = "STANDARD", status: str = "PENDING") -> str:
        """An invitation; returns its id."""
        iid = next_id()
        self.invitations[iid] = {
            "resource_name": f"customers/{self.customer_id}/customerUserAccessInvitations/{iid}",
            "invitation_id": iid,
            "access_role": role,
            "email_address": email,
            "creation_date_time": "2026-11-02 10:00:00",
            "invitation_status": status,
        }
        return iid

    def emails(self) -> set[str]:
        """Emails of the users who still have access."""
        return {u["email_address"] for u in self.users.values()}

    def invited(self) -> set[str]:
        """Emails of the invitations still pending."""
        return {
            i["email_address"]
            for i in self.invitations.values()
            if i["invitation_status"] == "PENDING"
        }

    def settings(self, **extra: Any) -> dict[str, Any]:
        """Account settings pointing the google_ads connector here."""
        settings: dict[str, Any] = {"base_url": self.url, "customer_id": self.customer_id}
        if self.manager_id:
            settings["login_customer_id"] = self.manager_id
        return settings | extra

    def secrets(self) -> dict[str, str]:
        """The secrets the connector reads, as stored in Vault."""
        return {"token": self.token, "developer_token": self.developer_token}

    def route(self, request: Request) -> Reply:
        match = _ROUTE.match(request.path)
        version = request.path.split("/")[1] if request.path.count("/") > 1 else ""
        if version in self.retired:
            message = f"Version {version} is deprecated. Requests to this version will be blocked."
            return ads_error(
                400, "INVALID_ARGUMENT", "requestError", "UNSUPPORTED_VERSION", message
            )
        if match is None or match.group(1) != self.version or request.method != "POST":
            return Reply(
                404, f"<html><p>The requested URL <code>{request.path}</code> was not found"
            )
        if request.header("authorization") != f"Bearer {self.token}":
            return ads_error(
                401, "UNAUTHENTICATED", "authenticationError", "OAUTH_TOKEN_INVALID",
                "OAuth token in the header is not valid.",
            )  # fmt: skip
        if request.header("developer-token") != self.developer_token:
            return ads_error(
                401, "UNAUTHENTICATED", "authenticationError", "DEVELOPER_TOKEN_INVALID",
                "The developer token is not valid.",
            )  # fmt: skip
        _, customer, service, verb = match.groups()
        login = request.header("login-customer-id")
        if customer != self.customer_id or login != self.manager_id:
            return ads_error(
                403, "PERMISSION_DENIED", "authorizationError", "USER_PERMISSION_DENIED",
                "User doesn't have permission to access customer. Note: If you're accessing a "
                "client customer, the manager's customer id must be set in the "
                "'login-customer-id' header.",
            )  # fmt: skip
        body = request.json() or {}
        if (service, verb) == ("googleAds", "search"):
            return self._search(body)
        if (service, verb) == ("customerUserAccesses", "mutate"):
            return self._remove(body, service, self.users, "customerUserAccessError")
        if (service, verb) == ("customerUserAccessInvitations", "mutate"):
            return self._remove(body, service, self.invitations, "accessInvitationError")
        return Reply(404, f"<html><p>The requested URL <code>{request.path}</code> was not found")

    def _search(self, body: dict[str, Any]) -> Reply:
        query = str(body.get("query") or "")
        found = re.match(r"^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?\s*$", query, re.I)
        if not found:
            return ads_error(
                400, "INVALID_ARGUMENT", "queryError", "UNEXPECTED_END_OF_QUERY", query
            )
        selected, resource, where = found.groups()
        fields = [f.strip() for f in selected.split(",")]
        for name in fields:
            owner, _, field = name.partition(".")
            if owner != resource or field not in FIELDS.get(resource, set()):
                return ads_error(
                    400, "INVALID_ARGUMENT", "queryError", "UNRECOGNIZED_FIELD",
                    f"Unrecognized field in the query: '{name}'.",
                )  # fmt: skip
        rows = self._rows(resource)
        if where:
            cond = re.fullmatch(rf"{resource}\.(\w+)\s*=\s*'(\w+)'", where.strip())
            if cond is None or cond.group(1) not in FIELDS[resource]:
                return ads_error(400, "INVALID_ARGUMENT", "queryError", "INVALID_ARGUMENTS", where)
            rows = [r for r in rows if str(r.get(cond.group(1))) == cond.group(2)]
        start = int(body.get("pageToken") or 0)
        page = rows[start : start + self.page_size]
        results = [
            {
                _camel(resource): {"resourceName": row["resource_name"]}
                | {_camel(f.partition(".")[2]): row[f.partition(".")[2]] for f in fields}
            }
            for row in page
        ]
        answer: dict[str, Any] = {"results": results, "fieldMask": ",".join(map(_camel, fields))}
        if start + self.page_size < len(rows):
            answer["nextPageToken"] = str(start + self.page_size)
        return Reply(200, answer)

    def _rows(self, resource: str) -> list[dict[str, Any]]:
        if resource == "customer_user_access":
            return list(self.users.values())
        if resource == "customer_user_access_invitation":
            return list(self.invitations.values())
        return [
            {
                "resource_name": f"customers/{self.customer_id}",
                "id": self.customer_id,
                "descriptive_name": "Northwind Ads",
            }
        ]

    def _remove(
        self, body: dict[str, Any], service: str, store: dict[str, dict[str, Any]], kind: str
    ) -> Reply:
        name = str((body.get("operation") or {}).get("remove") or "")
        prefix = f"customers/{self.customer_id}/{service}/"
        key = name.removeprefix(prefix)
        if not name.startswith(prefix) or key not in store:
            return ads_error(
                400, "INVALID_ARGUMENT", "mutateError", "RESOURCE_NOT_FOUND",
                "The requested resource was not found.",
            )  # fmt: skip
        admins = [u for u in self.users.values() if u["access_role"] == "ADMIN"]
        entry = store[key]
        if (
            store is self.users
            and entry["access_role"] == "ADMIN"
            and len(admins) == 1
            and not self.has_manager
        ):
            return ads_error(
                400, "INVALID_ARGUMENT", kind, "LAST_ADMIN_USER_OF_SERVING_CUSTOMER",
                "The user can't remove itself from an active serving customer if it's the last "
                "admin user and the customer doesn't have any owner manager.",
            )  # fmt: skip
        if not self.removes_ignored:
            del store[key]
        if self.lose_next_answer:
            self.lose_next_answer = False
            return Reply(503, "upstream connect error")
        return Reply(200, {"result": {"resourceName": name}})
