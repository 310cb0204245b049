"""TikTok Business Center members, their asset permissions and the activity log (Business API v1.3).

Settings: ``bc_id``; optional ``asset_types`` (which asset permissions a revoke lists
and removes, default every type ``/bc/asset/unassign/`` takes), ``activity_log`` (read
the Business Center's activity log as reconcile's change feed, default true),
``base_url`` (default https://business-api.tiktok.com) and ``identities``. Secret:
``token``, sent as the ``Access-Token`` header. TikTok answers errors with HTTP 200 and
a non-zero ``code`` in ``{"code", "message", "request_id", "data"}``: that envelope is
read on every answer.

A revoke removes a member's asset permissions first (``/bc/asset/get/`` filtered by the
user, then ``/bc/asset/unassign/`` for each), reads them back, then removes the
membership (``/bc/member/delete/`` with ``user_id``) and reads the members back. A
pending invitation is cancelled by the same call with ``user_email``, as TikTok
documents for invitations; the ad accounts it would grant are listed (by email, the only
asset filter TikTok allows for an invitee) and go with it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

import requests

from accessguard.connectors.base import Holder, Target
from accessguard.connectors.changefeed import Change
from accessguard.connectors.http import Verdict
from accessguard.connectors.http_connector import HttpConnector
from accessguard.connectors.matching import find_holder
from accessguard.connectors.settings import BASE_URL, IDENTITIES, Setting
from accessguard.errors import ConfigError
from accessguard.results import ActionResult

# 40100: requests too frequent; 40132: request frequency limited; 40200/40201: task not
# ready; 40202: write conflict; 50000+: system errors (the SDK's ``NumericErrorCodes``).
TRANSIENT_CODES = frozenset({40100, 40132, 40200, 40201, 40202, 50000, 50002, 51000, 51001, 51002})
#: The asset types ``/bc/asset/get/`` lists and ``/bc/asset/unassign/`` removes.
ASSET_TYPES = (
    "ADVERTISER",
    "CATALOG",
    "TIKTOK_SHOP",
    "PIXEL",
    "LEAD",
    "TT_ACCOUNT",
    "MANAGED_BUSINESS_ACCOUNT",
)
#: The role field ``/bc/asset/get/`` fills for each asset type.
_ROLE_FIELDS = (
    "advertiser_role",
    "catalog_role",
    "store_role",
    "tt_account_roles",
    "business_account_role",
)
_MEMBER_PAGE = 20  # /bc/member/get/ allows at most 20
_ASSET_PAGE = 50  # /bc/asset/get/ allows 1-50
_MEMBERS = "/open_api/v1.3/bc/member/get/"
_ASSETS = "/open_api/v1.3/bc/asset/get/"


def tiktok_verdict(response: requests.Response) -> Verdict | None:
    """Read TikTok's envelope: code 0 is success, whatever the HTTP status says."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or "code" not in body:
        return None
    code = body.get("code")
    if code == 0:
        return None if response.ok else Verdict(True, "HTTP error with code 0")
    message = f"{body.get('message', '')} (code {code}, request_id {body.get('request_id', '-')})"
    return Verdict(code in TRANSIENT_CODES, message.strip(), str(code))


def is_pending(holder: Holder) -> bool:
    """Whether ``holder`` is an invitee who has not joined (no user id yet)."""
    return holder.raw.get("relation_status") == "PENDING" or holder.platform_id == holder.email


def asset_label(asset: dict[str, Any]) -> str:
    """How a removal names an asset: ``ADVERTISER 7001``."""
    return f"{asset.get('asset_type')} {asset.get('asset_id')}"


def _asset_role(asset: dict[str, Any]) -> str | None:
    for key in _ROLE_FIELDS:
        value = asset.get(key)
        if value:
            return "+".join(value) if isinstance(value, list) else str(value)
    return None


class TikTokConnector(HttpConnector):
    """Members of a TikTok Business Center, with their asset permissions."""

    name: ClassVar[str] = "tiktok"
    default_base_url: ClassVar[str] = "https://business-api.tiktok.com"
    official_hosts: ClassVar[tuple[str, ...]] = (
        "business-api.tiktok.com",
        "sandbox-ads.tiktok.com",
    )
    settings_spec: ClassVar[tuple[Setting, ...]] = (
        Setting("bc_id", "id", required=True, help="the TikTok Business Center id"),
        Setting(
            "asset_types",
            "list",
            help="the asset types whose permissions a revoke removes (default all)",
            choices=ASSET_TYPES,
        ),
        Setting(
            "activity_log",
            "bool",
            help="read the Business Center's activity log as reconcile's change feed (default true)",
        ),
        BASE_URL,
        IDENTITIES,
    )
    summary: ClassVar[str] = (
        "TikTok Business Center members, invitations and asset permissions; activity log feed"
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        unknown = sorted(set(self.asset_types) - set(ASSET_TYPES))
        if unknown:
            raise ConfigError(
                f"{self.label}: unknown asset type(s) in asset_types: {', '.join(unknown)}",
                hint=f"use some of {', '.join(ASSET_TYPES)}",
                code="connector-settings",
            )

    @property
    def asset_types(self) -> tuple[str, ...]:
        """The asset types whose permissions a revoke lists and removes."""
        chosen = self.settings.get("asset_types")
        return ASSET_TYPES if chosen is None else tuple(str(t) for t in chosen)

    @property
    def rate_key(self) -> str:
        """One bucket per tiktok business: its limits are the business's, not the account's."""
        return f"tiktok:{self.settings['bc_id']}"

    @property
    def has_change_feed(self) -> bool:
        """Whether reconcile reads the activity log (setting ``activity_log``, default true)."""
        return self.settings.get("activity_log", True) is not False

    def _headers(self) -> dict[str, str]:
        return {"Access-Token": self.secret(), "Content-Type": "application/json"}

    def get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """GET ``path`` and return the envelope's ``data`` (an error code raises)."""
        body = self.call_json(
            "GET", path, headers=self._headers(), params=params, inspect=tiktok_verdict
        )
        data = body.get("data") if isinstance(body, dict) else None
        return data if isinstance(data, dict) else {}

    def pages(self, path: str, params: dict[str, Any], *, size: int, key: str) -> Iterator[Any]:
        """Every item under ``data[key]`` across the pages of a paged GET."""
        page = 1
        while True:
            data = self.get(path, {**params, "page": page, "page_size": size})
            yield from data.get(key) or []
            info = data.get("page_info") or {}
            if page >= int(info.get("total_page") or 1):
                return
            page += 1

    def _post(self, path: str, payload: dict[str, str]) -> None:
        self.call_json(
            "POST", path, headers=self._headers(), json_body=payload, inspect=tiktok_verdict
        )

    def list_holders(self) -> list[Holder]:
        """Every member and pending invitee."""
        params = {"bc_id": self.settings["bc_id"]}
        return [
            Holder(
                platform_id=str(member.get("user_id") or member.get("user_email")),
                email=member.get("user_email"),
                name=member.get("user_name"),
                role=member.get("user_role"),
                raw={"relation_status": member.get("relation_status")},
            )
            for member in self.pages(_MEMBERS, params, size=_MEMBER_PAGE, key="list")
        ]

    def member_assets(self, holder: Holder) -> list[dict[str, Any]]:
        """The asset permissions ``holder`` has: ``asset_type``, ``asset_id``, ``asset_name``, ``role``.

        A member is looked up by ``user_id``; an invitee by ``user_email``, which TikTok
        accepts for ad accounts (``ADVERTISER``) only.
        """
        types: tuple[str, ...]
        if is_pending(holder):
            who, types = {"user_email": str(holder.email)}, ("ADVERTISER",)
        else:
            who, types = {"user_id": holder.platform_id}, self.asset_types
        found: list[dict[str, Any]] = []
        for asset_type in (t for t in types if t in self.asset_types):
            params = {
                "bc_id": self.settings["bc_id"],
                "asset_type": asset_type,
                "filtering": json.dumps(who),
            }
            for asset in self.pages(_ASSETS, params, size=_ASSET_PAGE, key="list"):
                found.append(
                    {
                        "asset_type": str(asset.get("asset_type") or asset_type),
                        "asset_id": str(asset.get("asset_id")),
                        "asset_name": asset.get("asset_name"),
                        "role": _asset_role(asset),
                    }
                )
        return found

    def _unassign(self, holder: Holder, asset: dict[str, Any]) -> None:
        self._post(
            "/open_api/v1.3/bc/asset/unassign/",
            {
                "bc_id": str(self.settings["bc_id"]),
                "user_id": holder.platform_id,
                "asset_type": asset["asset_type"],
                "asset_id": asset["asset_id"],
            },
        )

    def _delete_member(self, holder: Holder) -> None:
        payload = {"bc_id": str(self.settings["bc_id"])}
        if is_pending(holder):
            payload["user_email"] = str(holder.email)  # documented: required for an invitation
        else:
            payload["user_id"] = holder.platform_id
        self._post("/open_api/v1.3/bc/member/delete/", payload)

    def _remove(self, holder: Holder) -> tuple[list[dict[str, Any]], str] | ActionResult:
        """Asset permissions, read back, then the membership or invitation; or a failed result."""
        assets = self.member_assets(holder)
        if not is_pending(holder):
            for asset in assets:
                self._unassign(holder, asset)
            left = self.member_assets(holder)
            if left:
                labels = ", ".join(asset_label(a) for a in left)
                return ActionResult.failed(
                    f"asset permissions still listed after unassign: {labels}",
                    user_id=holder.platform_id,
                    left=[asset_label(a) for a in left],
                )
        self._delete_member(holder)
        return assets, "invitation" if is_pending(holder) else "membership"

    def revoke(self, target: Target) -> ActionResult:
        """Remove the member's asset permissions, then the member (or their invitation); read back."""
        matches = find_holder(self.list_holders(), target, self.settings)
        if not matches:
            return ActionResult.unchanged(f"{target.email} is not in the Business Center")
        removed: list[str] = []
        assets: list[dict[str, Any]] = []
        for holder in matches:
            outcome = self._remove(holder)
            if isinstance(outcome, ActionResult):
                return ActionResult.failed(outcome.message, **outcome.details, removed=removed)
            held, what = outcome
            assets.extend({**a, "pending": is_pending(holder)} for a in held)
            removed.extend(
                [asset_label(a) for a in held if not is_pending(holder)] + [what],
            )
        left = find_holder(self.list_holders(), target, self.settings)
        ids = sorted(h.platform_id for h in matches)
        if left:
            return ActionResult.failed(
                f"{target.email} is still listed in the Business Center after the removal",
                ids=ids,
                removed=removed,
            )
        return ActionResult.changed(
            f"removed {', '.join(removed)} from the Business Center",
            user_id=matches[0].platform_id,
            ids=ids,
            removed=removed,
            assets=assets,
            confirmed=True,
        )

    def changes_since(self, when: datetime, *, until: datetime) -> list[Change]:
        """The Business Center's activity log from ``when`` (``tiktok_activity``)."""
        from accessguard.connectors.tiktok_activity import read_activity_log

        return read_activity_log(self, when, until=until)

    def check(self) -> ActionResult:
        """Read one member page."""
        self.get(_MEMBERS, {"bc_id": self.settings["bc_id"], "page": 1, "page_size": 1})
        return ActionResult.unchanged("TikTok Business Center answers")
