"""TikTok Business Center members (Business API v1.3).

Settings: ``bc_id``; optional ``base_url`` (default https://business-api.tiktok.com).
Secret: ``token``, sent as the ``Access-Token`` header. TikTok answers errors with HTTP
200 and a non-zero ``code`` in ``{"code", "message", "request_id", "data"}``: that
envelope is read on every answer. Pending invitations are revoked by email.
"""

from __future__ import annotations

from typing import ClassVar

import requests

from accessguard.connectors.base import Holder, Target
from accessguard.connectors.http import Verdict
from accessguard.connectors.http_connector import HttpConnector
from accessguard.connectors.matching import find_holder
from accessguard.connectors.settings import BASE_URL, IDENTITIES, Setting
from accessguard.results import ActionResult

# 40100: requests too frequent; 40200/40201: task/timeout; 50000+: system errors.
TRANSIENT_CODES = frozenset({40100, 40200, 40201, 40202, 50000, 50002, 51000, 51001, 51002})
_PAGE = 20


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


class TikTokConnector(HttpConnector):
    """Members of a TikTok Business Center."""

    name: ClassVar[str] = "tiktok"
    default_base_url: ClassVar[str] = "https://business-api.tiktok.com"
    official_hosts: ClassVar[tuple[str, ...]] = (
        "business-api.tiktok.com",
        "sandbox-ads.tiktok.com",
    )
    settings_spec: ClassVar[tuple[Setting, ...]] = (
        Setting("bc_id", "id", required=True, help="the TikTok Business Center id"),
        BASE_URL,
        IDENTITIES,
    )
    summary: ClassVar[str] = "TikTok Business Center members (errors as HTTP 200 + code)"

    @property
    def rate_key(self) -> str:
        """One bucket per tiktok business: its limits are the business's, not the account's."""
        return f"tiktok:{self.settings['bc_id']}"

    def _headers(self) -> dict[str, str]:
        return {"Access-Token": self.secret(), "Content-Type": "application/json"}

    def list_holders(self) -> list[Holder]:
        """Every member and pending invitee."""
        holders: list[Holder] = []
        page = 1
        while True:
            body = self.call(
                "GET",
                "/open_api/v1.3/bc/member/get/",
                headers=self._headers(),
                params={"bc_id": self.settings["bc_id"], "page": page, "page_size": _PAGE},
                inspect=tiktok_verdict,
            ).json()
            data = body.get("data") or {}
            for member in data.get("list") or []:
                holders.append(
                    Holder(
                        platform_id=str(member.get("user_id") or member.get("user_email")),
                        email=member.get("user_email"),
                        name=member.get("user_name"),
                        role=member.get("user_role"),
                        raw={"relation_status": member.get("relation_status")},
                    )
                )
            info = data.get("page_info") or {}
            if page >= int(info.get("total_page") or 1):
                return holders
            page += 1

    def revoke(self, target: Target) -> ActionResult:
        """Remove the member (or withdraw their pending invitation)."""
        matches = find_holder(self.list_holders(), target, self.settings)
        if not matches:
            return ActionResult.unchanged(f"{target.email} is not in the Business Center")
        member = matches[0]
        payload: dict[str, str] = {"bc_id": str(self.settings["bc_id"])}
        if member.raw.get("relation_status") == "PENDING" or member.platform_id == member.email:
            payload["user_email"] = str(member.email)
        else:
            payload["user_id"] = member.platform_id
        self.call(
            "POST",
            "/open_api/v1.3/bc/member/delete/",
            headers=self._headers(),
            json_body=payload,
            inspect=tiktok_verdict,
        )
        return ActionResult.changed("removed from the Business Center", user_id=member.platform_id)

    def check(self) -> ActionResult:
        """Read one member page."""
        self.call(
            "GET",
            "/open_api/v1.3/bc/member/get/",
            headers=self._headers(),
            params={"bc_id": self.settings["bc_id"], "page": 1, "page_size": 1},
            inspect=tiktok_verdict,
        )
        return ActionResult.unchanged("TikTok Business Center answers")
