"""Pinterest v5 business access: members, pending invitations and partners.

Settings: ``business_id`` (digits); optional ``base_url`` (default the public v5 root),
``identities`` (email -> member or partner id), ``invites`` and ``partners`` (default
true). Secret: ``token`` (OAuth with ``biz_access:read`` and ``biz_access:write``).

- Members: removal sends one ``{member_id, business_role}`` pair per role the member
  holds, as the v5 ``MembersToDeleteBody`` requires.
- Pending invitations (``GET /businesses/{id}/invites?invite_status=PENDING``): an
  invited leaver could accept after the offboarding, so a matching invitation is
  cancelled (``DELETE /businesses/{id}/invites`` with ``invite_ids``).
- Partners (``GET /businesses/{id}/partners?partner_type=INTERNAL``: businesses with
  access to ours, such as an agency), matched through ``identities`` or their email, are
  removed with ``DELETE /businesses/{id}/partners`` (``partner_ids``, ``INTERNAL``).
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


def cancel_invites_body(invite_ids: list[str]) -> dict[str, Any]:
    """The v5 ``CancelInvitesBody``: at most 50 invite ids."""
    return {"invite_ids": invite_ids[:50]}


class PinterestConnector(HttpConnector):
    """Members of a Pinterest business account."""

    name: ClassVar[str] = "pinterest"
    default_base_url: ClassVar[str] = "https://api.pinterest.com/v5"
    official_hosts: ClassVar[tuple[str, ...]] = ("api.pinterest.com", "api-sandbox.pinterest.com")
    settings_spec: ClassVar[tuple[Setting, ...]] = (
        Setting("business_id", "id", required=True, help="the Pinterest business id (digits)"),
        Setting("invites", "bool", help="list and cancel pending invitations (default true)"),
        Setting("partners", "bool", help="list and remove partner businesses (default true)"),
        BASE_URL,
        IDENTITIES,
    )
    summary: ClassVar[str] = "Pinterest v5 business members, pending invitations and partners"

    @property
    def rate_key(self) -> str:
        """One bucket per pinterest business: its limits are the business's, not the account's."""
        return f"pinterest:{self.settings['business_id']}"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret()}", "Accept": "application/json"}

    def _members_path(self) -> str:
        return f"/businesses/{self.settings['business_id']}/members"

    def _paged(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Every item of a bookmark-paginated list."""
        items: list[dict[str, Any]] = []
        bookmark: str | None = None
        seen: set[str] = set()
        while True:
            query: dict[str, Any] = {**params, "page_size": _PAGE}
            if bookmark:
                query["bookmark"] = bookmark
            body = self.call_json("GET", path, headers=self._headers(), params=query)
            items.extend(body.get("items") or [])
            bookmark = body.get("bookmark")
            # A bookmark seen twice means the server is looping: stop rather than spin.
            if not bookmark or bookmark in seen:
                return items
            seen.add(bookmark)

    def _business(self) -> str:
        return f"/businesses/{self.settings['business_id']}"

    def list_holders(self) -> list[Holder]:
        """Every member with their business roles, then pending invitations and partners."""
        holders = [
            Holder(
                platform_id=str(item.get("id") or (item.get("user") or {}).get("id")),
                email=(item.get("user") or {}).get("email"),
                name=(item.get("user") or {}).get("username"),
                role=",".join(item.get("business_roles") or []),
                raw={"business_roles": list(item.get("business_roles") or [])},
            )
            for item in self._paged(self._members_path(), {})
        ]
        if self.settings.get("invites", True):
            for invite in self._paged(f"{self._business()}/invites", {"invite_status": "PENDING"}):
                user = invite.get("user") or {}
                holders.append(
                    Holder(
                        platform_id=str(user.get("id") or f"invite-{invite.get('id')}"),
                        email=user.get("email"),
                        name=user.get("username"),
                        role="invite:" + ",".join(invite.get("business_roles") or []),
                        active=False,
                        raw={"kind": "invite", "invite_id": str(invite.get("id"))},
                    )
                )
        if self.settings.get("partners", True):
            for partner in self._paged(
                f"{self._business()}/partners", {"partner_type": "INTERNAL"}
            ):
                user = partner.get("user") or {}
                holders.append(
                    Holder(
                        platform_id=str(partner.get("id") or user.get("id")),
                        email=user.get("email"),
                        name=user.get("username"),
                        role="partner",
                        raw={
                            "kind": "partner",
                            "partner_id": str(user.get("id") or partner.get("id")),
                        },
                    )
                )
        return holders

    def revoke(self, target: Target) -> ActionResult:
        """End the person's membership, cancel their pending invitations, remove a partner."""
        matches = find_holder(self.list_holders(), target, self.settings)
        if not matches:
            return ActionResult.unchanged(f"{target.email} has no access to Pinterest")
        members = [h for h in matches if "kind" not in h.raw]
        invites = [h.raw["invite_id"] for h in matches if h.raw.get("kind") == "invite"]
        partners = [h.raw["partner_id"] for h in matches if h.raw.get("kind") == "partner"]
        removed: list[str] = []
        confirmed = True
        json_headers = {**self._headers(), "Content-Type": "application/json"}
        if members:
            member = members[0]
            roles = [r for r in member.raw.get("business_roles", []) if r in DELETABLE_ROLES]
            body = self.call_json(
                "DELETE",
                self._members_path(),
                headers=json_headers,
                json_body={
                    "members": [
                        {"member_id": member.platform_id, "business_role": r}
                        for r in roles or ["EMPLOYEE"]
                    ]
                },
            )
            confirmed &= member.platform_id in {str(m) for m in body.get("deleted_members") or []}
            removed.append("membership")
        if invites:
            body = self.call_json(
                "DELETE",
                f"{self._business()}/invites",
                headers=json_headers,
                json_body=cancel_invites_body(invites),
            )
            failed = [i for i in body.get("items") or [] if i.get("exception")]
            confirmed &= not failed
            removed.append("invitation")
        if partners:
            body = self.call_json(
                "DELETE",
                f"{self._business()}/partners",
                headers=json_headers,
                json_body={"partner_ids": partners[:50], "partner_type": "INTERNAL"},
            )
            confirmed &= set(partners) <= {str(p) for p in body.get("deleted_partners") or []}
            removed.append("partnership")
        details: dict[str, Any] = {"removed": removed, "confirmed": confirmed}
        if members:
            details.update(
                member_id=members[0].platform_id,
                roles=[r for r in members[0].raw.get("business_roles", []) if r in DELETABLE_ROLES]
                or ["EMPLOYEE"],
            )
        return ActionResult.changed(f"removed {' and '.join(removed)}", **details)

    def check(self) -> ActionResult:
        """Read the token's own user account."""
        body = self.call_json("GET", "/user_account", headers=self._headers())
        return ActionResult.unchanged(
            f"Pinterest answers as {body.get('username') or 'the token user'}"
        )
