"""Google Ads account access: users and pending invitations, listed and removed by API.

Google Ads API (REST, ``googleads.googleapis.com``): ``GoogleAdsService.Search``
(``POST /{version}/customers/{id}/googleAds:search``) reads the ``customer_user_access``
and ``customer_user_access_invitation`` resources; ``CustomerUserAccessService`` and
``CustomerUserAccessInvitationService`` (``…/customerUserAccesses:mutate``,
``…/customerUserAccessInvitations:mutate``) remove one by resource name
(``{"operation": {"remove": "customers/1/customerUserAccesses/2"}}``).

Settings: ``customer_id`` (``123-456-7890`` or digits); optional ``login_customer_id``
(the manager account the token's user reaches the customer through: the
``login-customer-id`` header), ``api_version`` (default ``DEFAULT_VERSION``),
``pending_invitations`` (default true), ``identities`` (email -> the person's Google Ads
sign-in email or user id), ``base_url``. Secrets: ``token`` (OAuth access token, scope
``adwords``) and ``developer_token`` (the ``developer-token`` header). Google refuses to
remove the last admin of a serving account or of a manager: that is a failed item with
the reason, never a silent success.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from accessguard.connectors.base import Holder, Target
from accessguard.connectors.google_api import Refusal, inspector
from accessguard.connectors.http import PlatformRefusedError
from accessguard.connectors.http_connector import HttpConnector
from accessguard.connectors.matching import find_holder
from accessguard.connectors.settings import BASE_URL, IDENTITIES, Setting
from accessguard.errors import PermanentConnectorError
from accessguard.results import ActionResult

#: Google Ads API version unless ``api_version`` says otherwise: v26 (released 2026-10-14;
#: Google keeps a major version about a year, its sunset is planned for November 2027).
DEFAULT_VERSION = "v26"
USERS = (
    "SELECT customer_user_access.resource_name, customer_user_access.user_id, "
    "customer_user_access.email_address, customer_user_access.access_role "
    "FROM customer_user_access"
)
INVITATIONS = (
    "SELECT customer_user_access_invitation.resource_name, "
    "customer_user_access_invitation.invitation_id, customer_user_access_invitation.email_address, "
    "customer_user_access_invitation.access_role, customer_user_access_invitation.invitation_status "
    "FROM customer_user_access_invitation "
    "WHERE customer_user_access_invitation.invitation_status = 'PENDING'"
)
_LAST_ADMIN = Refusal(
    "Google Ads will not remove the last admin of this account",
    hint="make another person an admin of the Google Ads account first, then resume the run",
)
REFUSALS = {
    "customerUserAccessError.LAST_ADMIN_USER_OF_SERVING_CUSTOMER": _LAST_ADMIN,
    "customerUserAccessError.LAST_ADMIN_USER_OF_MANAGER": _LAST_ADMIN,
    "customerUserAccessError.REMOVAL_DISALLOWED": Refusal(
        "Google Ads does not allow removing this user's access"
    ),
    "authenticationError.DEVELOPER_TOKEN_INVALID": Refusal(
        "Google Ads does not accept the developer token",
        hint="store the account's developer_token again (connectors secret set ACCOUNT "
        "developer_token)",
    ),
    "authorizationError.USER_PERMISSION_DENIED": Refusal(
        "the token's Google user cannot reach this Google Ads account",
        hint="if it reaches the account through a manager account, set login_customer_id "
        "to that manager's id",
    ),
}
#: The access or invitation no longer exists: removed already.
GONE = frozenset({"mutateError.RESOURCE_NOT_FOUND", "customerUserAccessError.INVALID_USER_ID"})
_VERSION = r"v[0-9]{1,3}(_[0-9]{1,2})?"


def _digits(value: Any) -> str:
    return str(value).replace("-", "").strip()


class GoogleAdsConnector(HttpConnector):
    """The users and pending invitations of one Google Ads account (customer)."""

    name: ClassVar[str] = "google_ads"
    default_base_url: ClassVar[str] = "https://googleads.googleapis.com"
    official_hosts: ClassVar[tuple[str, ...]] = ("googleads.googleapis.com",)
    secret_keys: ClassVar[tuple[str, ...]] = ("token", "developer_token")
    settings_spec: ClassVar[tuple[Setting, ...]] = (
        Setting(
            "customer_id",
            "text",
            required=True,
            pattern=r"[0-9]{3}-?[0-9]{3}-?[0-9]{4}",
            help="the Google Ads customer id, 123-456-7890 or 1234567890",
        ),
        Setting(
            "login_customer_id",
            "text",
            pattern=r"[0-9]{3}-?[0-9]{3}-?[0-9]{4}",
            help="the manager account the token's user signs in through, 123-456-7890",
        ),
        Setting(
            "api_version",
            "text",
            pattern=_VERSION,
            help=f"Google Ads API version, v26 or v26_1 (default {DEFAULT_VERSION})",
        ),
        Setting(
            "pending_invitations",
            "bool",
            help="list and cancel pending invitations (default true)",
        ),
        BASE_URL,
        IDENTITIES,
    )
    summary: ClassVar[str] = "Google Ads account users and pending invitations (Google Ads API)"

    @property
    def customer(self) -> str:
        """The customer id, digits only."""
        return _digits(self.settings["customer_id"])

    @property
    def rate_key(self) -> str:
        """One bucket per customer: Google Ads limits requests per customer and developer token."""
        return f"google_ads:{self.customer}"

    def _headers(self) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self.secret()}",
            "developer-token": self.secret("developer_token"),
        }
        if self.settings.get("login_customer_id"):
            headers["login-customer-id"] = _digits(self.settings["login_customer_id"])
        return headers

    def _path(self, tail: str) -> str:
        version = str(self.settings.get("api_version") or DEFAULT_VERSION)
        return f"/{version}/customers/{self.customer}/{tail}"

    def search(self, query: str) -> list[dict[str, Any]]:
        """Every row ``query`` (GAQL) returns, page after page."""
        rows: list[dict[str, Any]] = []
        token: str | None = None
        seen: set[str] = set()
        while True:
            body: dict[str, Any] = {"query": query}
            if token:
                body["pageToken"] = token
            answer = self.call_json(
                "POST",
                self._path("googleAds:search"),
                what="/{version}/customers/{id}/googleAds:search",
                headers=self._headers(),
                json_body=body,
                inspect=inspector(REFUSALS),
            )
            rows.extend(answer.get("results") or [])
            token = answer.get("nextPageToken") or None
            if not token or token in seen:  # a repeated token would loop forever
                return rows
            seen.add(token)

    def list_holders(self) -> list[Holder]:
        """Every user with access, then every pending invitation (unless turned off)."""
        holders = [_user(row.get("customerUserAccess") or {}) for row in self.search(USERS)]
        if self.settings.get("pending_invitations", True):
            holders += [
                _invitation(row.get("customerUserAccessInvitation") or {})
                for row in self.search(INVITATIONS)
            ]
        return holders

    def _remove(self, holder: Holder) -> bool:
        """Remove one access or invitation by resource name; False if it was already gone."""
        service = (
            "customerUserAccessInvitations"
            if holder.raw.get("pending")
            else ("customerUserAccesses")
        )
        name = str(holder.raw["resource_name"])
        if not re.fullmatch(rf"customers/{self.customer}/{service}/[0-9]+", name):
            # Only this customer's own entries: a listing cannot point the removal elsewhere.
            raise PermanentConnectorError(
                f"{self.label}: Google Ads listed {name!r}, not an entry of customer "
                f"{self.customer}; nothing was removed",
                code="connector-unexpected-answer",
            )
        try:
            self.call(
                "POST",
                self._path(f"{service}:mutate"),
                what=f"/{{version}}/customers/{{id}}/{service}:mutate",
                headers=self._headers(),
                json_body={"operation": {"remove": name}},
                inspect=inspector(REFUSALS),
                # safe to repeat: a second remove of the same name is RESOURCE_NOT_FOUND (gone)
                idempotent=True,
            )
        except PlatformRefusedError as exc:
            if exc.platform_code in GONE:
                return False
            raise
        return True

    def revoke(self, target: Target) -> ActionResult:
        """Remove the target's access and invitations, then read the account back to confirm."""
        matches = find_holder(self.list_holders(), target, self.settings)
        if not matches:
            return ActionResult.unchanged(f"{target.email} has no access to Google Ads")
        removed = [h for h in matches if self._remove(h)]
        names = [h.raw["resource_name"] for h in removed]
        left = find_holder(self.list_holders(), target, self.settings)
        if left:
            return ActionResult.failed(
                f"Google Ads still lists {target.email} after the removal",
                still=[h.raw["resource_name"] for h in left],
                code="removal-not-confirmed",
            )
        if not removed:
            return ActionResult.unchanged(f"{target.email} was already removed from Google Ads")
        kinds = sorted({"invitation" if h.raw.get("pending") else "access" for h in removed})
        return ActionResult.changed(
            f"removed {' and '.join(kinds)} from Google Ads customer {self.customer}",
            removed=names,
            confirmed=True,
        )

    def check(self) -> ActionResult:
        """Read the customer: proves the token, the developer token and the customer id."""
        rows = self.search("SELECT customer.id, customer.descriptive_name FROM customer")
        if not rows:
            raise PermanentConnectorError(
                f"{self.label}: Google Ads returned no customer {self.customer}",
                hint="check the account's customer_id setting",
                code="connector-not-found",
            )
        name = (rows[0].get("customer") or {}).get("descriptiveName")
        return ActionResult.unchanged(f"Google Ads customer {name or self.customer} answers")


def _user(access: dict[str, Any]) -> Holder:
    email = access.get("emailAddress")
    return Holder(
        platform_id=str(access.get("userId") or access.get("resourceName")),
        email=str(email).lower() if email else None,
        role=access.get("accessRole"),
        raw={"resource_name": str(access.get("resourceName")), "pending": False},
    )


def _invitation(invite: dict[str, Any]) -> Holder:
    email = invite.get("emailAddress")
    return Holder(
        platform_id=f"invitation/{invite.get('invitationId')}",
        email=str(email).lower() if email else None,
        role=f"invited:{invite.get('accessRole', '')}",
        raw={"resource_name": str(invite.get("resourceName")), "pending": True},
    )
