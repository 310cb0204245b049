"""Meta (Facebook/Instagram) Business: business users, and people assigned to a Page.

Settings (``settings_spec``): ``business_id``; optional ``page_id`` and
``instagram_asset_id`` (the Instagram account's business asset, whose ``assigned_users``
edge is the one the Graph API defines; the IG user id has none), listed and removed too;
``api_version`` (default ``DEFAULT_VERSION``), ``base_url``. Secret: ``token`` (a system-user token with ``business_management``). Graph API errors arrive in
``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``; throttling
codes are retried, waiting what ``X-Business-Use-Case-Usage`` asks for.
"""

from __future__ import annotations

from typing import Any, ClassVar

import requests

from accessguard.connectors.base import Holder, Target
from accessguard.connectors.http import VERSION_HINT, Verdict, requested_delay
from accessguard.connectors.http_connector import HttpConnector
from accessguard.connectors.matching import find_holder
from accessguard.connectors.settings import BASE_URL, IDENTITIES, Setting
from accessguard.results import ActionResult

#: "You are calling a deprecated version of the API" (Marketing API), "(#12) ... is
#: deprecated for versions v… and higher": the version in the path is the problem.
VERSION_CODES = frozenset({12, 2635})
# Graph API throttling: app/user/page/business-use-case rate limits.
THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
#: Graph API version unless ``api_version`` says otherwise (the version of the official
#: specs in ``../shared/specs/meta-graph``; Meta keeps a version about two years).
DEFAULT_VERSION = "v25.0"
_GONE = (100, 33)  # "Unsupported delete request": the object does not exist (any more).


def graph_verdict(response: requests.Response) -> Verdict | None:
    """Classify a Graph API error envelope (throttling is transient, the rest permanent)."""
    if response.ok:
        return None
    try:
        error = response.json().get("error")
    except ValueError:
        return None
    if not isinstance(error, dict):
        return None
    code = error.get("code")
    subcode = error.get("error_subcode")
    text = str(error.get("message", "")).strip()
    details = ", ".join(
        f"{k} {error[k]}" for k in ("type", "code", "error_subcode", "fbtrace_id") if error.get(k)
    )
    message = f"{text} ({details})" if details else text
    platform_code = f"{code}/{subcode}" if subcode is not None else str(code)
    transient = (
        code in THROTTLE_CODES or bool(error.get("is_transient")) or response.status_code >= 500
    )
    if code in VERSION_CODES:
        return Verdict(False, message, platform_code, hint=VERSION_HINT)
    return Verdict(
        transient, message, platform_code, requested_delay(response) if transient else None
    )


def _is_gone(response: requests.Response) -> bool:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        return False
    return (error.get("code"), error.get("error_subcode")) == _GONE or response.status_code == 404


class MetaConnector(HttpConnector):
    """Business users of a Meta business portfolio, and a Page's assigned users."""

    name: ClassVar[str] = "meta"
    default_base_url: ClassVar[str] = "https://graph.facebook.com"
    official_hosts: ClassVar[tuple[str, ...]] = ("graph.facebook.com",)
    settings_spec: ClassVar[tuple[Setting, ...]] = (
        Setting("business_id", "id", required=True, help="the Meta business portfolio id"),
        Setting("page_id", "id", help="a Facebook Page whose assigned users are managed"),
        Setting(
            "instagram_asset_id",
            "id",
            help="the Instagram account's business asset id (Business settings > Instagram accounts)",
        ),
        Setting("instagram_account_id", "id", help="old name of instagram_asset_id"),
        Setting("api_version", "text", help=f"Graph API version (default {DEFAULT_VERSION})"),
        Setting(
            "remove_business_user", "bool", help="also remove the business user (default true)"
        ),
        BASE_URL,
        IDENTITIES,
    )
    summary: ClassVar[str] = "Meta business users and Page/Instagram assigned users (Graph API)"

    def _path(self, node: str) -> str:
        version = str(self.settings.get("api_version") or DEFAULT_VERSION)
        return f"/{version}/{node}"

    def _get_all(self, node: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        url: str | None = self._path(node)
        query: dict[str, Any] | None = {"limit": 100, **params}
        while url:
            body = self.call(
                "GET", url, headers=self._headers(), params=query, inspect=graph_verdict
            ).json()
            items.extend(body.get("data") or [])
            url = (body.get("paging") or {}).get("next")
            query = None  # the "next" URL carries every parameter
        return items

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret()}"}

    def _assets(self) -> list[tuple[str, str]]:
        """The Page and Instagram account whose assigned users are managed, if configured."""
        assets = [("page", self.settings.get("page_id"))]
        instagram = self.settings.get("instagram_asset_id") or self.settings.get(
            "instagram_account_id"
        )
        assets.append(("instagram", instagram))
        return [(kind, str(asset)) for kind, asset in assets if asset]

    def list_holders(self) -> list[Holder]:
        """Business users, plus people assigned to the Page / Instagram account (by user id)."""
        business = str(self.settings["business_id"])
        found: dict[str, dict[str, Any]] = {}
        for user in self._get_all(f"{business}/business_users", {"fields": "id,name,email,role"}):
            found[str(user["id"])] = {**user, "roles": [f"business:{user.get('role', '')}"]}
        for kind, asset in self._assets():
            assigned = self._get_all(
                f"{asset}/assigned_users", {"business": business, "fields": "id,name,tasks"}
            )
            for user in assigned:
                entry = found.setdefault(str(user["id"]), {**user, "roles": []})
                entry["roles"].append(f"{kind}:{'+'.join(user.get('tasks') or [])}")
        return [
            Holder(
                platform_id=uid,
                email=user.get("email"),
                name=user.get("name"),
                role=", ".join(user["roles"]),
                raw={"tasks": user.get("tasks")},
            )
            for uid, user in sorted(found.items())
        ]

    def revoke(self, target: Target) -> ActionResult:
        """Remove the person's Page and Instagram tasks, then their business membership."""
        matches = find_holder(self.list_holders(), target, self.settings)
        if not matches:
            return ActionResult.unchanged(f"{target.email} holds nothing on Meta")
        user_id = matches[0].platform_id
        done: list[str] = []
        for kind, asset in self._assets():
            if f"{kind}:" not in (matches[0].role or ""):
                continue
            response = self.call(
                "DELETE",
                self._path(f"{asset}/assigned_users"),
                headers=self._headers(),
                params={"user": user_id},  # the only parameter the spec's DELETE defines
                inspect=_unless_gone,
                allow=(400, 404),
            )
            if response.ok:
                done.append(kind)
        if "business:" in (matches[0].role or "") and self.settings.get(
            "remove_business_user", True
        ):
            response = self.call(
                "DELETE",
                self._path(user_id),
                what="/{business-user}",
                headers=self._headers(),
                inspect=_unless_gone,
                allow=(400, 404),
            )
            if response.ok:
                done.append("business")
        if not done:
            return ActionResult.unchanged(f"{target.email} was already removed", user_id=user_id)
        return ActionResult.changed(
            f"removed from {' and '.join(done)}", user_id=user_id, removed=done
        )

    def check(self) -> ActionResult:
        """Read the business node: proves the token and the business id."""
        body = self.call(
            "GET",
            self._path(str(self.settings["business_id"])),
            headers=self._headers(),
            params={"fields": "id,name"},
            inspect=graph_verdict,
        ).json()
        return ActionResult.unchanged(f"Meta business {body.get('name') or body.get('id')} answers")


def _unless_gone(response: requests.Response) -> Verdict | None:
    """Graph verdict, except that "does not exist" on a delete means already removed."""
    if _is_gone(response):
        return None
    return graph_verdict(response)
