"""Google Workspace super admins, their 2-Step Verification and recovery channels.

Directory API v1 (``admin.googleapis.com``), ``users.list`` with ``query=isAdmin=true``:
each user's ``primaryEmail``, ``isAdmin``, ``isEnrolledIn2Sv``, ``recoveryEmail`` and
``recoveryPhone`` (the discovery document ``admin:directory_v1``, schema ``User``).
Settings: ``customer_id`` (default ``my_customer``, the token's own account) or
``domain``; ``base_url``. Secret: ``token`` (OAuth access token with the
``admin.directory.user.readonly`` scope). Super admins are listed, never changed:
removing one stays a manual step in the Admin console.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from accessguard.connectors.base import Holder, Target
from accessguard.connectors.http_connector import HttpConnector
from accessguard.connectors.settings import BASE_URL, Setting
from accessguard.results import ActionResult

USERS_PATH = "/admin/directory/v1/users"
FIELDS = "nextPageToken,users(primaryEmail,isAdmin,isEnrolledIn2Sv,recoveryEmail,recoveryPhone)"


@dataclass(frozen=True, slots=True)
class SuperAdmin:
    """A Workspace super admin as the Directory API shows them."""

    email: str
    enrolled_2sv: bool
    recovery_email: str | None
    recovery_phone: str | None


class GoogleWorkspaceConnector(HttpConnector):
    """Super admins of a Google Workspace account (read only)."""

    name: ClassVar[str] = "google_workspace"
    can_revoke: ClassVar[bool] = False
    default_base_url: ClassVar[str] = "https://admin.googleapis.com"
    official_hosts: ClassVar[tuple[str, ...]] = ("admin.googleapis.com",)
    settings_spec: ClassVar[tuple[Setting, ...]] = (
        Setting("customer_id", "id", help="the Workspace customer id (default: my_customer)"),
        Setting("domain", "text", help="list only this domain's users instead of the customer's"),
        BASE_URL,
    )
    summary: ClassVar[str] = "Google Workspace super admins: 2-Step Verification, recovery"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret()}"}

    def _scope(self) -> dict[str, str]:
        if self.settings.get("domain"):
            return {"domain": str(self.settings["domain"])}
        return {"customer": str(self.settings.get("customer_id") or "my_customer")}

    def super_admins(self) -> list[SuperAdmin]:
        """Every super admin, page after page (``isAdmin`` is true only for super admins)."""
        admins: list[SuperAdmin] = []
        token: str | None = None
        while True:
            params = self._scope() | {"query": "isAdmin=true", "maxResults": "500"}
            params["fields"] = FIELDS
            if token:
                params["pageToken"] = token
            body = self.call_json(
                "GET", USERS_PATH, what=USERS_PATH, headers=self._headers(), params=params
            )
            admins.extend(_admin(user) for user in body.get("users") or [] if user.get("isAdmin"))
            token = body.get("nextPageToken")
            if not token:
                return admins

    def list_holders(self) -> list[Holder]:
        """The super admins, as holders of the ``super-admin`` role."""
        return [
            Holder(platform_id=a.email, email=a.email, role="super-admin")
            for a in self.super_admins()
        ]

    def revoke(self, target: Target) -> ActionResult:
        """Removing a super admin is a manual step (this connector only reads)."""
        return ActionResult.waiting(
            f"remove {target.email}'s super admin role in Google Workspace",
            "Admin console > Directory > Users > the user > Admin roles and privileges: "
            "unassign Super Admin (keep at least two other super admins)",
        )

    def check(self) -> ActionResult:
        """List one super admin."""
        params = self._scope() | {"query": "isAdmin=true", "maxResults": "1"}
        self.call_json("GET", USERS_PATH, what=USERS_PATH, headers=self._headers(), params=params)
        return ActionResult.unchanged("Google Workspace Directory API answers")


def _admin(user: dict[str, Any]) -> SuperAdmin:
    return SuperAdmin(
        email=str(user["primaryEmail"]).lower(),
        enrolled_2sv=bool(user.get("isEnrolledIn2Sv")),
        recovery_email=user.get("recoveryEmail") or None,
        recovery_phone=user.get("recoveryPhone") or None,
    )
