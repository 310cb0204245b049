"""A local fake of TikTok's Business API v1.3 Business Center calls, shaped from its documentation.

Members and invitations (``/bc/member/get/``, ``/bc/member/delete/``), asset permissions
(``/bc/asset/get/`` filtered by ``user_id``, or by ``user_email`` for an invitee's ad
accounts; ``/bc/asset/unassign/``) and the activity log (``/changelog/get/``, filtered
by UTC day). Every answer is the envelope ``{code, message, request_id, data}``; every
error is HTTP 200 with a non-zero ``code``. What the platform would log (an invitation,
an assignment, a removal) is appended to the activity log, by the acting user's id.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from support.fake_http import FakeServer, Reply, Request, next_id

ASSET_TYPES = (
    "ADVERTISER",
    "CATALOG",
    "TIKTOK_SHOP",
    "PIXEL",
    "LEAD",
    "TT_ACCOUNT",
    "MANAGED_BUSINESS_ACCOUNT",
)
ROLE_FIELD = {
    "ADVERTISER": "advertiser_role",
    "CATALOG": "catalog_role",
    "TIKTOK_SHOP": "store_role",
    "TT_ACCOUNT": "tt_account_roles",
    "MANAGED_BUSINESS_ACCOUNT": "business_account_role",
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
BAD_PARAM = 40002


class TikTokBusinessFake(FakeServer):
    """One Business Center: members, invitations, assets and who holds which, its activity log."""

    def __init__(self, *, token: str = "tiktok-test-token", bc_id: str = "7000123") -> None:
        super().__init__()
        self.token, self.bc_id = token, bc_id
        self.members: dict[str, dict[str, Any]] = {}  # by user id, or email for an invitee
        self.assets: dict[tuple[str, str], dict[str, Any]] = {}
        #: (asset type, asset id) -> {user id or invitee email: role}
        self.holders: dict[tuple[str, str], dict[str, Any]] = {}
        self.log: list[dict[str, Any]] = []
        #: who the API's token acts as (the operator of the changes it makes).
        self.api_user = next_id()

    # -- state set up by tests ---------------------------------------------------------------

    def logged(self, operator: str, activity_type: str, text: str, at: datetime | None) -> None:
        """Append an activity log entry (``at`` defaults to now, as the platform stamps it)."""
        when = (at or datetime.now(UTC)).astimezone(UTC)
        self.log.append(
            {
                "time": when.strftime("%Y-%m-%d %H:%M:%S"),
                "activity_type": activity_type,
                "operator_id": operator,
                "activity_log": text,
            }
        )

    def add_member(
        self,
        email: str,
        name: str = "",
        *,
        role: str = "STANDARD",
        pending: bool = False,
        by: str | None = None,
        at: datetime | None = None,
    ) -> str:
        """A member (or invitee); logged as invited by ``by`` when given."""
        uid = email if pending else next_id()
        self.members[uid] = {
            "user_id": "" if pending else uid,
            "user_name": name or email,
            "user_email": email,
            "user_role": role,
            "relation_status": "PENDING" if pending else "BOUND",
        }
        if by:
            self.logged(
                by, "USER", f"Invited {email} to join the Business Center as {role.title()}", at
            )
        return uid

    def add_asset(self, asset_type: str, name: str) -> str:
        """An asset of the Business Center."""
        asset_id = next_id()
        self.assets[(asset_type, asset_id)] = {
            "asset_type": asset_type,
            "asset_id": asset_id,
            "asset_name": name,
            "relation_type": "OWNER_BC",
        }
        self.holders[(asset_type, asset_id)] = {}
        return asset_id

    def assign(
        self,
        user: str,
        asset_type: str,
        asset_id: str,
        role: Any = "ADMIN",
        *,
        by: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Give a member (user id) or an invitee (email) a permission on an asset."""
        self.holders[(asset_type, asset_id)][user] = role
        if by:
            who = self.members[user]["user_email"]
            name = self.assets[(asset_type, asset_id)]["asset_name"]
            kind = "ACCOUNT" if asset_type == "ADVERTISER" else "ASSET"
            self.logged(by, kind, f"Assigned {asset_type} {name} to {who} as {role}", at)

    def assets_of(self, user: str) -> set[tuple[str, str]]:
        """The assets ``user`` (user id or invitee email) holds a permission on."""
        return {key for key, users in self.holders.items() if user in users}

    def emails(self) -> set[str]:
        """Emails of every member and invitee."""
        return {m["user_email"] for m in self.members.values()}

    # -- the API ---------------------------------------------------------------------------

    def _ok(self, data: Any) -> Reply:
        return Reply(200, {"code": 0, "message": "OK", "request_id": next_id(), "data": data})

    def _err(self, code: int, message: str) -> Reply:
        return Reply(200, {"code": code, "message": message, "request_id": next_id(), "data": {}})

    def _page(self, items: list[Any], request: Request, *, most: int, key: str) -> Reply:
        try:
            page = int(request.query.get("page", 1))
            size = int(request.query.get("page_size", 10))
        except ValueError:
            return self._err(BAD_PARAM, "page and page_size must be integers")
        if not 1 <= size <= most or page < 1:
            return self._err(BAD_PARAM, f"page_size: must be between 1 and {most}")
        return self._ok(
            {
                key: items[(page - 1) * size : page * size],
                "page_info": {
                    "page": page,
                    "page_size": size,
                    "total_number": len(items),
                    "total_page": max(1, -(-len(items) // size)),
                },
            }
        )

    def route(self, request: Request) -> Reply:
        if request.header("access-token") != self.token:
            return self._err(40105, "The access token is invalid")
        if request.query.get("bc_id", (request.json() or {}).get("bc_id")) != self.bc_id:
            return self._err(BAD_PARAM, "bc_id: invalid Business Center id")
        handlers = {
            ("GET", "/open_api/v1.3/bc/member/get/"): self._member_get,
            ("POST", "/open_api/v1.3/bc/member/delete/"): self._member_delete,
            ("GET", "/open_api/v1.3/bc/asset/get/"): self._asset_get,
            ("POST", "/open_api/v1.3/bc/asset/unassign/"): self._asset_unassign,
            ("GET", "/open_api/v1.3/changelog/get/"): self._changelog_get,
        }
        handler = handlers.get((request.method, request.path))
        if handler is None:
            return Reply(404, "not found")
        if request.method == "POST" and request.header("content-type") != "application/json":
            return self._err(BAD_PARAM, "Content-Type must be application/json")
        return handler(request)

    def _member_get(self, request: Request) -> Reply:
        return self._page(list(self.members.values()), request, most=20, key="list")

    def _member_delete(self, request: Request) -> Reply:
        body = request.json() or {}
        user_id, email = body.get("user_id"), body.get("user_email")
        if user_id:  # documented: required to remove an existing member
            member = self.members.get(user_id)
            if member is None or member["relation_status"] != "BOUND":
                return self._err(BAD_PARAM, "user_id: not a member of this Business Center")
            key, text = user_id, f"Removed {member['user_email']} from the Business Center"
        elif email:  # documented: required to cancel an invitation
            member = self.members.get(email)
            if member is None or member["relation_status"] != "PENDING":
                return self._err(BAD_PARAM, "user_email: no pending invitation for this email")
            key, text = email, f"Cancelled the invitation of {email}"
        else:
            return self._err(BAD_PARAM, "user_id or user_email: required")
        del self.members[key]
        for users in self.holders.values():
            users.pop(key, None)
        self.logged(self.api_user, "USER", text, None)
        return self._ok({})

    def _asset_get(self, request: Request) -> Reply:
        asset_type = request.query.get("asset_type")
        if asset_type not in ASSET_TYPES:
            return self._err(BAD_PARAM, "asset_type: invalid value")
        try:
            filtering = json.loads(request.query.get("filtering") or "{}")
        except ValueError:
            return self._err(BAD_PARAM, "filtering: must be a JSON object")
        user_id, email = filtering.get("user_id"), filtering.get("user_email")
        if user_id and email:
            return self._err(BAD_PARAM, "filtering: user_id and user_email cannot both be set")
        if email and asset_type != "ADVERTISER":
            return self._err(BAD_PARAM, "filtering.user_email: only with asset_type ADVERTISER")
        user = user_id or email
        listed = []
        for key, asset in self.assets.items():
            if key[0] != asset_type or (user and user not in self.holders[key]):
                continue
            role = self.holders[key].get(user) if user else None
            field = ROLE_FIELD.get(asset_type)
            listed.append({**asset, **({field: role} if field and role else {})})
        return self._page(listed, request, most=50, key="list")

    def _asset_unassign(self, request: Request) -> Reply:
        body = request.json() or {}
        missing = [k for k in ("asset_id", "asset_type", "bc_id", "user_id") if not body.get(k)]
        if missing:
            return self._err(BAD_PARAM, f"{', '.join(missing)}: required")
        key = (body["asset_type"], body["asset_id"])
        if key not in self.assets:
            return self._err(BAD_PARAM, "asset_id: not an asset of this Business Center")
        if self.holders[key].pop(body["user_id"], None) is None:
            return self._err(BAD_PARAM, "user_id: the user has no permission on this asset")
        who = self.members.get(body["user_id"], {}).get("user_email", body["user_id"])
        self.logged(
            self.api_user,
            "ACCOUNT" if key[0] == "ADVERTISER" else "ASSET",
            f"Removed {who}'s permission on {key[0]} {self.assets[key]['asset_name']}",
            None,
        )
        return self._ok({})

    def _changelog_get(self, request: Request) -> Reply:
        try:
            filtering = json.loads(request.query.get("filtering") or "{}")
        except ValueError:
            return self._err(BAD_PARAM, "filtering: must be a JSON object")
        start, end = filtering.get("start_date"), filtering.get("end_date")
        if bool(start) != bool(end):
            return self._err(BAD_PARAM, "start_date and end_date: set both or neither")
        if start and not (_DAY.match(start) and _DAY.match(end)):
            return self._err(BAD_PARAM, "start_date, end_date: must be YYYY-MM-DD")
        if not start:  # documented default: the past 7 days
            today = datetime.now(UTC)
            start, end = str((today - timedelta(days=7)).date()), str(today.date())
        if request.query.get("sort_type", "DESC") not in ("ASC", "DESC"):
            return self._err(BAD_PARAM, "sort_type: ASC or DESC")
        kind = filtering.get("activity_type", "ALL")
        entries = [
            e
            for e in self.log
            if start <= e["time"][:10] <= end and kind in ("ALL", e["activity_type"])
        ]
        entries.sort(key=lambda e: e["time"], reverse=request.query.get("sort_type") != "ASC")
        return self._page(entries, request, most=50, key="changelog_list")
