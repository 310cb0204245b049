"""Pinterest v5 business members (``/businesses/{business_id}/members``).

Settings: ``business_id`` (digits); optional ``base_url`` (default the public v5 root).
Secret: ``token`` (OAuth with ``biz_access:read`` and ``biz_access:write``). Removal
sends one ``{member_id, business_role}`` pair per role the member holds, as the v5
``MembersToDeleteBody`` requires.
"""

from __future__ import annotations

from typing import Any, ClassVar

from accessguard.connectors.base import Holder, Target
from accessguard.connectors.http_connector import HttpConnector
from accessguard.connectors.matching import find_holder
from accessguard.connectors.settings import BASE_URL, IDENTITIES, Setting
from accessguard.results import ActionResult

DELETABLE_ROLES = ("EMPLOYEE", "BIZ_ADMIN")
_PAGE = 100


class PinterestConnector(HttpConnector):
    """Members of a Pinterest business account."""

    name: ClassVar[str] = "pinterest"
    default_base_url: ClassVar[str] = "https://api.pinterest.com/v5"
    official_hosts: ClassVar[tuple[str, ...]] = ("api.pinterest.com", "api-sandbox.pinterest.com")
    settings_spec: ClassVar[tuple[Setting, ...]] = (
        Setting("business_id", "id", required=True, help="the Pinterest business id (digits)"),
        BASE_URL,
        IDENTITIES,
    )
    summary: ClassVar[str] = "Pinterest v5 business members (list, terminate membership)"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret()}", "Accept": "application/json"}

    def _members_path(self) -> str:
        return f"/businesses/{self.settings['business_id']}/members"

    def list_holders(self) -> list[Holder]:
        """Every member, with their business roles."""
        holders: list[Holder] = []
        bookmark: str | None = None
        seen: set[str] = set()
        while True:
            params: dict[str, Any] = {"page_size": _PAGE}
            if bookmark:
                params["bookmark"] = bookmark
            body = self.call(
                "GET", self._members_path(), headers=self._headers(), params=params
            ).json()
            for item in body.get("items") or []:
                user = item.get("user") or {}
                holders.append(
                    Holder(
                        platform_id=str(item.get("id") or user.get("id")),
                        email=user.get("email"),
                        name=user.get("username"),
                        role=",".join(item.get("business_roles") or []),
                        raw={"business_roles": list(item.get("business_roles") or [])},
                    )
                )
            bookmark = body.get("bookmark")
            # A bookmark seen twice means the server is looping: stop rather than spin.
            if not bookmark or bookmark in seen:
                return holders
            seen.add(bookmark)

    def revoke(self, target: Target) -> ActionResult:
        """Terminate the member's business membership, for every deletable role they hold."""
        matches = find_holder(self.list_holders(), target, self.settings)
        if not matches:
            return ActionResult.unchanged(f"{target.email} is not a member on Pinterest")
        member = matches[0]
        roles = [r for r in member.raw.get("business_roles", []) if r in DELETABLE_ROLES]
        if not roles:
            roles = ["EMPLOYEE"]
        body = self.call(
            "DELETE",
            self._members_path(),
            headers={**self._headers(), "Content-Type": "application/json"},
            json_body={
                "members": [{"member_id": member.platform_id, "business_role": r} for r in roles]
            },
        ).json()
        deleted = [str(m) for m in body.get("deleted_members") or []]
        return ActionResult.changed(
            "terminated business membership",
            member_id=member.platform_id,
            roles=roles,
            confirmed=member.platform_id in deleted,
        )

    def check(self) -> ActionResult:
        """Read the token's own user account."""
        body = self.call("GET", "/user_account", headers=self._headers()).json()
        return ActionResult.unchanged(
            f"Pinterest answers as {body.get('username') or 'the token user'}"
        )
