"""Local fakes of platform APIs that follow their documented request and error shapes.

Each fake checks the credential header the platform expects, answers in the platform's
envelope (TikTok HTTP 200 + ``code``, Google, LinkedIn, Okta, Reddit ``json.errors``)
and keeps state tests can inspect. Meta's Graph API fake is in ``fake_meta``.
"""

from __future__ import annotations

import re
from typing import Any

from support.fake_http import FakeServer, Reply, Request, next_id


class TikTokFake(FakeServer):
    """Business API v1.3 BC members; every error is HTTP 200 with a non-zero code."""

    def __init__(self, *, token: str = "tiktok-test-token", bc_id: str = "7000123") -> None:
        super().__init__()
        self.token, self.bc_id = token, bc_id
        self.members: dict[str, dict[str, Any]] = {}

    def add_member(
        self, email: str, name: str = "", *, role: str = "STANDARD", pending: bool = False
    ) -> str:
        uid = next_id()
        self.members[uid] = {
            "user_id": "" if pending else uid,
            "user_name": name or email,
            "user_email": email,
            "user_role": role,
            "relation_status": "PENDING" if pending else "BOUND",
        }
        return uid

    def emails(self) -> set[str]:
        return {m["user_email"] for m in self.members.values()}

    def _ok(self, data: Any) -> Reply:
        return Reply(200, {"code": 0, "message": "OK", "request_id": "req-1", "data": data})

    def _err(self, code: int, message: str) -> Reply:
        return Reply(200, {"code": code, "message": message, "request_id": "req-2", "data": {}})

    def route(self, request: Request) -> Reply:
        if request.header("access-token") != self.token:
            return self._err(40105, "The access token is invalid")
        if request.path == "/open_api/v1.3/bc/member/get/" and request.method == "GET":
            if request.query.get("bc_id") != self.bc_id:
                return self._err(40002, "bc_id: invalid Business Center id")
            page, size = int(request.query.get("page", 1)), int(request.query.get("page_size", 10))
            if size > 20:
                return self._err(40002, "page_size: must be at most 20")
            members = list(self.members.values())
            total_page = max(1, -(-len(members) // size))
            return self._ok(
                {
                    "list": members[(page - 1) * size : page * size],
                    "page_info": {
                        "page": page,
                        "page_size": size,
                        "total_number": len(members),
                        "total_page": total_page,
                    },
                }
            )
        if request.path == "/open_api/v1.3/bc/member/delete/" and request.method == "POST":
            body = request.json() or {}
            if (
                request.header("content-type") != "application/json"
                or body.get("bc_id") != self.bc_id
            ):
                return self._err(40002, "bc_id: required")
            for key, member in list(self.members.items()):
                if (body.get("user_id") and member["user_id"] == body["user_id"]) or (
                    body.get("user_email")
                    and member["user_email"] == body["user_email"]
                    and not body.get("user_id")
                ):
                    del self.members[key]
                    return self._ok({})
            return self._err(40001, "The user is not a member of this Business Center")
        return Reply(404, "not found")


class GoogleBusinessProfileFake(FakeServer):
    """Account Management v1: /v1/accounts/{a}/admins; accepted admins show a name."""

    def __init__(self, *, token: str = "gbp-test-token", account_id: str = "5511") -> None:
        super().__init__()
        self.token, self.account = token, f"accounts/{account_id}"
        self.admins: dict[str, dict[str, Any]] = {}

    def add_admin(self, shown: str, *, role: str = "MANAGER", pending: bool = False) -> str:
        name = f"{self.account}/admins/{next_id()}"
        self.admins[name] = {
            "name": name,
            "admin": shown,
            "role": role,
            "pendingInvitation": pending,
        }
        return name

    def route(self, request: Request) -> Reply:
        if request.header("authorization") != f"Bearer {self.token}":
            return Reply(
                401,
                {
                    "error": {
                        "code": 401,
                        "message": "Request had invalid authentication credentials.",
                        "status": "UNAUTHENTICATED",
                    }
                },
            )
        if request.path == f"/v1/{self.account}/admins" and request.method == "GET":
            return Reply(200, {"accountAdmins": list(self.admins.values())})
        if request.path == f"/v1/{self.account}" and request.method == "GET":
            return Reply(200, {"name": self.account, "accountName": "Northwind Cafe"})
        name = request.path.removeprefix("/v1/")
        if request.method == "DELETE" and name.startswith(f"{self.account}/admins/"):
            if name not in self.admins:
                return Reply(
                    404,
                    {
                        "error": {
                            "code": 404,
                            "message": "Requested entity was not found.",
                            "status": "NOT_FOUND",
                        }
                    },
                )
            del self.admins[name]
            return Reply(200, {})
        return Reply(404, {"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}})


class LinkedInFake(FakeServer):
    """/rest/organizationAcls?q=organization (needs LinkedIn-Version and Rest.li 2.0 headers)."""

    def __init__(
        self,
        *,
        token: str = "li-test-token",
        organization_id: str = "9911",
        oldest_version: str = "202512",
    ) -> None:
        super().__init__()
        self.token, self.organization = token, f"urn:li:organization:{organization_id}"
        self.acls: list[dict[str, Any]] = []
        #: LinkedIn sunsets each monthly version after about a year: older ones get 426.
        self.oldest_version = oldest_version

    def add_role(
        self, person_urn: str, role: str = "ADMINISTRATOR", state: str = "APPROVED"
    ) -> None:
        self.acls.append(
            {
                "roleAssignee": person_urn,
                "role": role,
                "state": state,
                "organization": self.organization,
            }
        )

    def route(self, request: Request) -> Reply:
        if request.header("authorization") != f"Bearer {self.token}":
            return Reply(
                401, {"status": 401, "serviceErrorCode": 65600, "message": "Invalid access token"}
            )
        if (
            not re.fullmatch(r"\d{6}", request.header("linkedin-version") or "")
            or request.header("x-restli-protocol-version") != "2.0.0"
        ):
            return Reply(426, {"status": 426, "message": "A version header is required"})
        if (request.header("linkedin-version") or "") < self.oldest_version:
            return Reply(
                426,
                {
                    "status": 426,
                    "code": "NONEXISTENT_VERSION",
                    "message": f"Requested version {request.header('linkedin-version')} is not active",
                },
            )
        if (
            request.path == "/rest/organizationAcls"
            and request.query.get("q") == "organization"
            and request.query.get("organization") == self.organization
        ):
            start, count = int(request.query.get("start", 0)), int(request.query.get("count", 10))
            return Reply(
                200,
                {
                    "elements": self.acls[start : start + count],
                    "paging": {"start": start, "count": count, "total": len(self.acls)},
                },
            )
        return Reply(400, {"status": 400, "message": "Invalid query"})


class RedditFake(FakeServer):
    """/r/{sub}/about/moderators, /api/v1/{sub}/moderators_invited, POST /r/{sub}/api/unfriend.

    Shaped from Reddit's API documentation: ``unfriend`` with ``type=moderator`` removes
    a moderator and ``type=moderator_invite`` a pending invitation; the invited list is
    ``{"moderatorIds": [...], "moderators": {id: {"username", "id", ...}}}``. Requests
    whose User-Agent does not follow ``platform:app:version (by /u/name)`` get 429, as
    Reddit throttles generic agents.
    """

    def __init__(self, *, token: str = "reddit-test-token", subreddit: str = "northwind") -> None:
        super().__init__()
        self.token, self.subreddit = token, subreddit
        self.moderators: dict[str, list[str]] = {}
        self.invited: dict[str, list[str]] = {}

    def route(self, request: Request) -> Reply:
        if request.header("authorization") != f"Bearer {self.token}":
            return Reply(401, {"message": "Unauthorized", "error": 401})
        agent = request.header("user-agent") or ""
        if not re.fullmatch(r"[\w.-]+:[\w.-]+:[\w.+-]+ \(by /u/[\w-]+\)", agent):
            return Reply(429, {"message": "Too Many Requests", "error": 429})
        base = f"/r/{self.subreddit}"
        if request.path == f"/api/v1/{self.subreddit}/moderators_invited":
            ids = [f"t2_{n}" for n in self.invited]
            mods = {
                f"t2_{n}": {"username": n, "id": f"t2_{n}", "modPermissions": p}
                for n, p in self.invited.items()
            }
            return Reply(200, {"moderatorIds": ids, "moderators": mods, "after": None})
        if request.path == f"{base}/about/moderators" and request.method == "GET":
            children = [
                {"name": n, "id": f"t2_{n}", "mod_permissions": p, "date": 1700000000.0}
                for n, p in self.moderators.items()
            ]
            return Reply(200, {"kind": "UserList", "data": {"children": children}})
        if request.path == f"{base}/api/unfriend" and request.method == "POST":
            form = request.form()
            kind = form.get("type")
            if kind not in ("moderator", "moderator_invite") or "name" not in form:
                return Reply(200, {"json": {"errors": [["BAD_TYPE", "invalid type", "type"]]}})
            holders = self.moderators if kind == "moderator" else self.invited
            if form["name"] not in holders:
                return Reply(
                    200,
                    {
                        "json": {
                            "errors": [["USER_DOESNT_EXIST", "that user doesn't exist", "name"]]
                        }
                    },
                )
            del holders[form["name"]]
            return Reply(200, {"json": {"errors": []}})
        return Reply(404, {"message": "Not Found", "error": 404})


class OktaFake(FakeServer):
    """/api/v1/users/{login}, lifecycle/deactivate, DELETE sessions; SSWS tokens."""

    def __init__(self, *, token: str = "okta-test-token") -> None:
        super().__init__()
        self.token = token
        self.users: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, int] = {}
        #: OAuth tokens Okta issued to the user's apps (cleared by ``oauthTokens=true``).
        self.oauth_tokens: dict[str, int] = {}

    def add_user(self, login: str, *, sessions: int = 2, oauth_tokens: int = 1) -> str:
        uid = f"00u{next_id()}"
        self.users[uid] = {
            "id": uid,
            "status": "ACTIVE",
            "profile": {"login": login, "email": login},
        }
        self.sessions[uid] = sessions
        self.oauth_tokens[uid] = oauth_tokens
        return uid

    def status_of(self, login: str) -> str | None:
        return next(
            (u["status"] for u in self.users.values() if u["profile"]["login"] == login), None
        )

    def _error(self, status: int, code: str, summary: str) -> Reply:
        return Reply(
            status,
            {
                "errorCode": code,
                "errorSummary": summary,
                "errorLink": code,
                "errorId": "oae1",
                "errorCauses": [],
            },
        )

    def route(self, request: Request) -> Reply:
        if request.header("authorization") != f"SSWS {self.token}":
            return self._error(401, "E0000011", "Invalid token provided")
        if request.path == "/api/v1/users" and request.method == "GET":
            wanted = re.fullmatch(r'profile\.login eq "(.*)"', request.query.get("search", ""))
            login = wanted.group(1).replace('\\"', '"') if wanted else None
            return Reply(200, [u for u in self.users.values() if u["profile"]["login"] == login])
        match = re.fullmatch(r"/api/v1/users/([^/]+)(/.*)?", request.path)
        if not match:
            return self._error(
                404, "E0000022", "The endpoint does not support the provided HTTP method"
            )
        ref, rest = match.group(1), match.group(2) or ""
        if ref == "me":
            return Reply(200, {"id": "00uadmin", "profile": {"login": "api@example.com"}})
        user = self.users.get(ref) or next(
            (u for u in self.users.values() if u["profile"]["login"] == ref), None
        )
        if user is None:
            return self._error(404, "E0000007", f"Not found: Resource not found: {ref} (User)")
        if request.method == "GET" and not rest:
            return Reply(200, user)
        if request.method == "DELETE" and rest == "/sessions":
            self.sessions[user["id"]] = 0
            if request.query.get("oauthTokens") == "true":
                self.oauth_tokens[user["id"]] = 0
            return Reply(204)
        if request.method == "POST" and rest == "/lifecycle/deactivate":
            user["status"] = "DEPROVISIONED"
            return Reply(200, {})
        return self._error(
            405, "E0000022", "The endpoint does not support the provided HTTP method"
        )
