"""Meta (Facebook/Instagram) Business: business users, invitations, assets' people and partners.

Settings (``settings_spec``): ``business_id``; optional ``page_id``,
``instagram_asset_id`` (the Instagram account's business asset, whose ``assigned_users``
edge is the one the Graph API defines; the IG user id has none) and ``ad_account_ids``:
the people assigned to each (``assigned_users``) and its partner businesses
(``agencies``) are listed and removed, and so are the business's pending invitations
(``pending_users``), unless ``agencies`` / ``pending_invitations`` are false;
``api_version`` (default ``DEFAULT_VERSION``), ``base_url``. ``lockout()`` reads the
business's 2FA requirement and its users' 2FA and pending emails (``meta_lockout.py``). Secret: ``token`` (a system-user token with ``business_management``). Graph API errors arrive in
``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``; throttling
codes are retried, waiting what ``X-Business-Use-Case-Usage`` asks for.
"""

from __future__ import annotations

from typing import Any, ClassVar

import requests

from accessguard.connectors.base import Holder, Target
from accessguard.connectors.http import VERSION_HINT, Verdict
from accessguard.connectors.http_answers import requested_delay
from accessguard.connectors.http_connector import HttpConnector
from accessguard.connectors.matching import find_holder
from accessguard.connectors.meta_lockout import (
    BUSINESS_FIELDS,
    USER_FIELDS,
    MetaLockout,
    lockout_facts,
)
from accessguard.connectors.settings import BASE_URL, IDENTITIES, Setting
from accessguard.errors import PermanentConnectorError
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
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
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
        body = response.json()
    except ValueError:
        return False
    error = (body.get("error") if isinstance(body, dict) else None) or {}
    if not isinstance(error, dict):
        error = {}
    return (error.get("code"), error.get("error_subcode")) == _GONE or response.status_code == 404


class MetaConnector(HttpConnector):
    """Business users and pending invitations of a Meta business portfolio, and the
    people and partner businesses assigned to its Page, Instagram account and ad accounts."""

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
        Setting(
            "ad_account_ids",
            "list",
            help="ad accounts whose assigned users are managed (act_123 or 123)",
        ),
        Setting(
            "agencies",
            "bool",
            help="list and remove partner businesses (agencies) on the assets (default true)",
        ),
        Setting(
            "pending_invitations",
            "bool",
            help="list and cancel pending business invitations (default true)",
        ),
        Setting("api_version", "text", help=f"Graph API version (default {DEFAULT_VERSION})"),
        Setting(
            "remove_business_user", "bool", help="also remove the business user (default true)"
        ),
        BASE_URL,
        IDENTITIES,
    )
    summary: ClassVar[str] = (
        "Meta business users and invitations; Page/Instagram/ad account assigned users"
        " and partner agencies (Graph API)"
    )

    def _path(self, node: str) -> str:
        version = str(self.settings.get("api_version") or DEFAULT_VERSION)
        return f"/{version}/{node}"

    def _get_all(self, node: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        url: str | None = self._path(node)
        query: dict[str, Any] | None = {"limit": 100, **params}
        while url:
            body = self.call_json(
                "GET", url, headers=self._headers(), params=query, inspect=graph_verdict
            )
            items.extend(body.get("data") or [])
            url = (body.get("paging") or {}).get("next")
            query = None  # the "next" URL carries every parameter
        return items

    @property
    def rate_key(self) -> str:
        """One bucket per meta business: its limits are the business's, not the account's."""
        return f"meta:{self.settings['business_id']}"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret()}"}

    def _enabled(self, setting: str) -> bool:
        value = self.settings.get(setting)
        return True if value is None else bool(value)

    def _assets(self) -> list[tuple[str, str]]:
        """(label, id) of each asset whose ``assigned_users`` edge is managed."""
        assets = [("page", self.settings.get("page_id"))]
        instagram = self.settings.get("instagram_asset_id") or self.settings.get(
            "instagram_account_id"
        )
        assets.append(("instagram", instagram))
        for account in self.settings.get("ad_account_ids") or []:
            act = str(account) if str(account).startswith("act_") else f"act_{account}"
            assets.append((f"ad_account/{act}", act))
        return [(label, str(asset)) for label, asset in assets if asset]

    def list_holders(self) -> list[Holder]:
        """Business users and the people assigned to each asset (by user id), pending
        invitations (by request id) and the assets' partner businesses (by business id)."""
        business = str(self.settings["business_id"])
        found: dict[str, dict[str, Any]] = {}
        for user in self._get_all(f"{business}/business_users", {"fields": "id,name,email,role"}):
            found[str(user["id"])] = {**user, "roles": [f"business:{user.get('role', '')}"]}
        for label, asset in self._assets():
            assigned = self._get_all(
                f"{asset}/assigned_users", {"business": business, "fields": "id,name,tasks"}
            )
            for user in assigned:
                entry = found.setdefault(str(user["id"]), {**user, "roles": []})
                entry["roles"].append(f"{label}:{'+'.join(user.get('tasks') or [])}")
        holders = [
            Holder(
                platform_id=uid,
                email=user.get("email"),
                name=user.get("name"),
                role=", ".join(user["roles"]),
                raw={"kind": "user", "tasks": user.get("tasks")},
            )
            for uid, user in sorted(found.items())
        ]
        return holders + self._invitations(business) + self._agencies()

    def _invitations(self, business: str) -> list[Holder]:
        if not self._enabled("pending_invitations"):
            return []
        return [
            Holder(
                platform_id=str(invite["id"]),
                email=invite.get("email"),
                role=f"invited:{invite.get('role', '')}",
                raw={"kind": "invitation", "pending": True},
            )
            for invite in self._get_all(f"{business}/pending_users", {"fields": "id,email,role"})
        ]

    def _agencies(self) -> list[Holder]:
        """Partner businesses (agencies) on each managed asset, one holder per partner."""
        if not self._enabled("agencies"):
            return []
        found: dict[str, dict[str, Any]] = {}
        for label, asset in self._assets():
            for agency in self._get_all(f"{asset}/agencies", {"fields": "id,name"}):
                entry = found.setdefault(str(agency["id"]), {**agency, "roles": []})
                entry["roles"].append(f"{label}:agency")
        return [
            Holder(
                platform_id=bid,
                name=agency.get("name"),
                role=", ".join(agency["roles"]),
                raw={"kind": "agency"},
            )
            for bid, agency in sorted(found.items())
        ]

    def _delete(self, node: str, what: str, params: dict[str, str] | None = None) -> bool:
        """DELETE a node or edge; "does not exist" counts as already done (False)."""
        response = self.call(
            "DELETE",
            self._path(node),
            what=what,
            headers=self._headers(),
            params=params,
            inspect=_unless_gone,
            allow=(400, 404),
        )
        return response.ok

    def _remove(self, holder: Holder) -> list[str]:
        """Every removal one holder needs; returns what was removed."""
        kind = holder.raw.get("kind")
        if kind == "invitation":
            # BusinessRoleRequest's DELETE (facebook-business-sdk-codegen) cancels it.
            removed = self._delete(holder.platform_id, "/{business-role-request}")
            return ["invitation"] if removed else []
        done: list[str] = []
        for label, asset in self._assets():
            if f"{label}:" not in (holder.role or ""):
                continue
            if kind == "agency":
                if self._delete(
                    f"{asset}/agencies", "/{asset}/agencies", {"business": holder.platform_id}
                ):
                    done.append(f"{label} agency")
                continue
            # ``user`` is the only parameter the spec's DELETE assigned_users defines.
            if self._delete(
                f"{asset}/assigned_users", "/{asset}/assigned_users", {"user": holder.platform_id}
            ):
                done.append(label)
        member = "business:" in (holder.role or "") and self._enabled("remove_business_user")
        if member and self._delete(holder.platform_id, "/{business-user}"):
            done.append("business")
        return done

    def revoke(self, target: Target) -> ActionResult:
        """Remove everything the target holds, then read the holders back to confirm."""
        matches = find_holder(self.list_holders(), target, self.settings)
        if not matches:
            return ActionResult.unchanged(f"{target.email} holds nothing on Meta")
        done = [item for holder in matches for item in self._remove(holder)]
        ids = sorted(h.platform_id for h in matches)
        if not done:
            return ActionResult.unchanged(f"{target.email} was already removed", ids=ids)
        left = find_holder(self.list_holders(), target, self.settings)
        return ActionResult.changed(
            f"removed from {' and '.join(done)}",
            ids=ids,
            removed=done,
            confirmed=not left,
        )

    def lockout(self) -> MetaLockout:
        """The business's 2FA requirement and each business user's 2FA status and pending
        email change (``meta_lockout.py``); only reads."""
        business = str(self.settings["business_id"])
        response = self.call(
            "GET",
            self._path(business),
            headers=self._headers(),
            params={"fields": BUSINESS_FIELDS},
            inspect=graph_verdict,
        )
        node = self.json_of(response, "GET", "/{business}")
        if not isinstance(node, dict):
            raise PermanentConnectorError(
                f"{self.label}: the business node answer is not a JSON object",
                code="connector-bad-answer",
            )
        users = self._get_all(f"{business}/business_users", {"fields": USER_FIELDS})
        return lockout_facts(business, node, users)

    def check(self) -> ActionResult:
        """Read the business node: proves the token and the business id."""
        body = self.call_json(
            "GET",
            self._path(str(self.settings["business_id"])),
            headers=self._headers(),
            params={"fields": "id,name"},
            inspect=graph_verdict,
        )
        return ActionResult.unchanged(f"Meta business {body.get('name') or body.get('id')} answers")


def _unless_gone(response: requests.Response) -> Verdict | None:
    """Graph verdict, except that "does not exist" on a delete means already removed."""
    if _is_gone(response):
        return None
    return graph_verdict(response)
