"""Google Merchant Center users, listed and removed by API (Merchant API, Accounts sub-API).

``merchantapi.googleapis.com``: ``accounts.users.list``
(``GET /accounts/{version}/accounts/{account}/users``, pages of ``users`` with
``nextPageToken``) and ``accounts.users.delete``
(``DELETE /accounts/{version}/accounts/{account}/users/{email}``). A user's resource
name is ``accounts/{account}/users/{email}``: the email is the user's id. It goes into
the path as one segment, percent-encoded (gRPC transcoding of a single-segment
variable), so an address with ``+`` or ``/`` can never name another path. Invited
users who have not accepted yet are listed with ``state: PENDING`` and deleted the same way.

Settings: ``account_id`` (``123`` or ``accounts/123``); optional ``api_version`` (default
``DEFAULT_VERSION``), ``identities`` (email -> the person's Merchant Center sign-in
email), ``base_url``. Secret: ``token`` (OAuth access token, scope ``content``). Google
refuses to delete the last admin of an account and users managed by Business Manager:
a failed item with Google's reason.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from accessguard.connectors.base import Holder, Target
from accessguard.connectors.google_api import google_error, inspector
from accessguard.connectors.http import Verdict
from accessguard.connectors.http_connector import HttpConnector
from accessguard.connectors.matching import find_holder
from accessguard.connectors.settings import BASE_URL, IDENTITIES, Setting
from accessguard.errors import PermanentConnectorError
from accessguard.results import ActionResult

if TYPE_CHECKING:
    import requests

#: Accounts sub-API version unless ``api_version`` says otherwise (v1 is the stable
#: version; v1beta was shut down on 2026-02-28).
DEFAULT_VERSION = "v1"
_PAGE = 100  # the documented maximum page size
#: Google's errors read with their messages; retired versions name the api_version setting.
_INSPECT = inspector({})
_DELETE = inspector({}, allow=(404,))  # a 404 with Google's error body: already deleted
_LAST_ADMIN = re.compile(r"last admin", re.IGNORECASE)


class GoogleMerchantConnector(HttpConnector):
    """The users (and pending invitations) of one Merchant Center account."""

    name: ClassVar[str] = "google_merchant"
    default_base_url: ClassVar[str] = "https://merchantapi.googleapis.com"
    official_hosts: ClassVar[tuple[str, ...]] = ("merchantapi.googleapis.com",)
    settings_spec: ClassVar[tuple[Setting, ...]] = (
        Setting(
            "account_id",
            "text",
            required=True,
            pattern=r"(accounts/)?[0-9]{1,20}",
            help="the Merchant Center account id, 123 or accounts/123",
        ),
        Setting(
            "api_version",
            "text",
            pattern=r"v[0-9]{1,2}(alpha|beta)?",
            help=f"Merchant API Accounts version (default {DEFAULT_VERSION})",
        ),
        BASE_URL,
        IDENTITIES,
    )
    summary: ClassVar[str] = "Google Merchant Center users and pending invitations (Merchant API)"

    @property
    def account_id(self) -> str:
        """The account id, digits only."""
        return str(self.settings["account_id"]).removeprefix("accounts/")

    @property
    def rate_key(self) -> str:
        """One bucket per Merchant Center account: its quotas are per account."""
        return f"google_merchant:{self.account_id}"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret()}"}

    def _path(self, tail: str = "") -> str:
        version = str(self.settings.get("api_version") or DEFAULT_VERSION)
        return f"/accounts/{version}/accounts/{self.account_id}{tail}"

    def list_holders(self) -> list[Holder]:
        """Every user of the account, verified or pending, page after page."""
        holders: list[Holder] = []
        token: str | None = None
        seen: set[str] = set()
        while True:
            params: dict[str, Any] = {"pageSize": _PAGE}
            if token:
                params["pageToken"] = token
            body = self.call_json(
                "GET",
                self._path("/users"),
                what="/accounts/{version}/accounts/{account}/users",
                headers=self._headers(),
                params=params,
                inspect=_INSPECT,
            )
            holders.extend(self._holder(user) for user in body.get("users") or [])
            token = body.get("nextPageToken") or None
            if not token or token in seen:  # a repeated token would loop forever
                return holders
            seen.add(token)

    def _holder(self, user: dict[str, Any]) -> Holder:
        name = str(user.get("name") or "")
        prefix = f"accounts/{self.account_id}/users/"
        email = name.removeprefix(prefix) if name.startswith(prefix) else ""
        if not email or "/" in email:
            raise PermanentConnectorError(
                f"{self.label}: Merchant API listed a user named {name[:80]!r}, not a user "
                f"of account {self.account_id}",
                code="connector-unexpected-answer",
            )
        rights = "+".join(str(r) for r in user.get("accessRights") or [])
        pending = user.get("state") == "PENDING"
        return Holder(
            platform_id=email.lower(),
            email=email.lower(),
            role=f"invited:{rights}" if pending else rights,
            raw={"email": email, "state": user.get("state"), "pending": pending},
        )

    def _delete(self, holder: Holder) -> bool:
        """Delete one user; False when Merchant Center no longer had them (404)."""
        email = quote(str(holder.raw["email"]), safe="")
        response = self.call(
            "DELETE",
            self._path(f"/users/{email}"),
            what="/accounts/{version}/accounts/{account}/users/{email}",
            headers=self._headers(),
            inspect=_delete_verdict,
            allow=(404,),
        )
        return response.ok

    def revoke(self, target: Target) -> ActionResult:
        """Delete the target's user (pending or not), then read the users back to confirm."""
        matches = find_holder(self.list_holders(), target, self.settings)
        if not matches:
            return ActionResult.unchanged(f"{target.email} is not a Merchant Center user")
        removed = [h.platform_id for h in matches if self._delete(h)]
        left = find_holder(self.list_holders(), target, self.settings)
        if left:
            return ActionResult.failed(
                f"Merchant Center still lists {target.email} after the removal",
                still=[h.platform_id for h in left],
                code="removal-not-confirmed",
            )
        if not removed:
            return ActionResult.unchanged(
                f"{target.email} was already removed from Merchant Center"
            )
        pending = any(h.raw.get("pending") for h in matches)
        return ActionResult.changed(
            f"removed {'the pending invitation of ' if pending else ''}{target.email} from "
            f"Merchant Center account {self.account_id}",
            removed=removed,
            confirmed=True,
        )

    def check(self) -> ActionResult:
        """Read the account: proves the token and the account id."""
        body = self.call_json(
            "GET",
            self._path(),
            what="/accounts/{version}/accounts/{account}",
            headers=self._headers(),
            inspect=_INSPECT,
        )
        return ActionResult.unchanged(
            f"Merchant Center account {body.get('accountName') or self.account_id} answers"
        )


def _delete_verdict(response: requests.Response) -> Verdict | None:
    """The Google verdict, with the last-admin refusal named (Google says it in its message)."""
    verdict = _DELETE(response)
    error = google_error(response)
    if verdict is not None and error and _LAST_ADMIN.search(str(error.get("message") or "")):
        return Verdict(
            False,
            f"Merchant Center will not delete the last admin of the account: {verdict.message}",
            verdict.platform_code,
            hint="make another person an admin of the Merchant Center account first, "
            "then resume the run",
        )
    return verdict
