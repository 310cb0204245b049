"""Google Business Profile admins (My Business Account Management API v1).

Settings: ``account_id`` (``123`` or ``accounts/123``); optional ``location_ids`` (their
admins are listed and removed too), ``identities`` (email -> the admin's display name
or admin resource name), ``base_url``. Secret: ``token`` (OAuth access token with the
``business.manage`` scope). Accepted admins show a person's name, not an email; only
pending invitations show the email. So people are matched by the ``identities``
mapping, by email while the invitation is pending, or by their name in the inventory.
"""

from __future__ import annotations

from typing import Any, ClassVar

from accessguard.connectors.base import Holder, Target
from accessguard.connectors.http_connector import HttpConnector
from accessguard.connectors.matching import find_holder
from accessguard.connectors.settings import BASE_URL, IDENTITIES, Setting
from accessguard.results import ActionResult


class GoogleBusinessProfileConnector(HttpConnector):
    """Admins of a Business Profile account and, optionally, of its locations."""

    name: ClassVar[str] = "google_business_profile"
    default_base_url: ClassVar[str] = "https://mybusinessaccountmanagement.googleapis.com"
    official_hosts: ClassVar[tuple[str, ...]] = ("mybusinessaccountmanagement.googleapis.com",)
    settings_spec: ClassVar[tuple[Setting, ...]] = (
        Setting("account_id", "id", required=True, help="the account, 123 or accounts/123"),
        Setting("location_ids", "list", help="locations whose admins are managed too"),
        BASE_URL,
        IDENTITIES,
    )
    summary: ClassVar[str] = "Google Business Profile account and location admins"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret()}"}

    @property
    def _account(self) -> str:
        account = str(self.settings["account_id"])
        return account if account.startswith("accounts/") else f"accounts/{account}"

    def _parents(self) -> list[tuple[str, str]]:
        parents = [(self._account, "accountAdmins")]
        for location in self.settings.get("location_ids") or []:
            loc = str(location)
            parents.append((loc if loc.startswith("locations/") else f"locations/{loc}", "admins"))
        return parents

    def list_holders(self) -> list[Holder]:
        """Every admin of the account and its configured locations (pending ones too)."""
        holders: list[Holder] = []
        for parent, key in self._parents():
            body = self.call_json(
                "GET", f"/v1/{parent}/admins", what="/v1/{parent}/admins", headers=self._headers()
            )
            holders.extend(_holder(admin) for admin in body.get(key) or [])
        return holders

    def revoke(self, target: Target) -> ActionResult:
        """Delete every admin entry that is the target (account and locations)."""
        holders = self.list_holders()
        matches = find_holder(holders, target, self.settings)
        if not matches and target.name:
            wanted = target.name.strip().lower()
            matches = [h for h in holders if (h.name or "").strip().lower() == wanted]
        if not matches:
            return ActionResult.unchanged(
                f"{target.email} is not an admin on Google Business Profile"
            )
        removed: list[str] = []
        for admin in matches:
            response = self.call(
                "DELETE",
                f"/v1/{admin.platform_id}",
                what="/v1/{admin}",
                headers=self._headers(),
                allow=(404,),
            )
            if response.ok:
                removed.append(admin.platform_id)
        if not removed:
            return ActionResult.unchanged(f"{target.email} was already removed")
        return ActionResult.changed(
            f"removed {len(removed)} admin entr{'y' if len(removed) == 1 else 'ies'}",
            admins=removed,
        )

    def check(self) -> ActionResult:
        """Read the account."""
        body = self.call_json(
            "GET", f"/v1/{self._account}", what="/v1/{account}", headers=self._headers()
        )
        return ActionResult.unchanged(
            f"Business Profile {body.get('accountName') or self._account} answers"
        )


def _holder(admin: dict[str, Any]) -> Holder:
    shown = str(admin.get("admin") or "")
    pending = bool(admin.get("pendingInvitation"))
    return Holder(
        platform_id=str(admin["name"]),
        email=shown if "@" in shown else None,
        name=shown,
        role=admin.get("role"),
        active=True,
        raw={"pending": pending},
    )
