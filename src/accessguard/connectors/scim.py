"""Generic SCIM 2.0 (RFC 7644): suites such as Hootsuite, or any app that provisions seats by SCIM.

Settings: ``base_url`` (the SCIM root), optional ``revoke_mode`` (``deactivate``, the
default, PATCHes ``active=false``; ``delete`` DELETEs the user). Secret: ``token``
(bearer). Writes send ``If-Match`` with the user's ETag; a 412 (someone changed the
user meanwhile) re-reads the user and retries once with the fresh ETag.
"""

from __future__ import annotations

from typing import Any, ClassVar

import requests

from accessguard.connectors.base import Holder, Target
from accessguard.connectors.http_answers import platform_message
from accessguard.connectors.http_connector import HttpConnector
from accessguard.connectors.matching import identities
from accessguard.connectors.settings import IDENTITIES, Setting
from accessguard.errors import ConfigError, TransientConnectorError
from accessguard.inventory.vocab import is_admin_role
from accessguard.results import ActionResult

SCIM_JSON = "application/scim+json"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
_PAGE = 100


class ScimConnector(HttpConnector):
    """List, deactivate (or delete) and check SCIM users."""

    name: ClassVar[str] = "scim"
    settings_spec: ClassVar[tuple[Setting, ...]] = (
        Setting(
            "base_url",
            "url",
            required=True,
            help="the SCIM 2.0 root, e.g. https://app.example.com/scim/v2",
        ),
        Setting(
            "revoke_mode",
            "choice",
            help="deactivate (PATCH active=false, the default) or delete the user",
            choices=("deactivate", "delete"),
        ),
        IDENTITIES,
    )
    summary: ClassVar[str] = "SCIM 2.0 users: filter by userName, PATCH active=false or DELETE"

    def _headers(self, etag: str | None = None) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self.secret()}",
            "Accept": SCIM_JSON,
            "Content-Type": SCIM_JSON,
        }
        if etag:
            headers["If-Match"] = etag
        return headers

    @property
    def revoke_mode(self) -> str:
        """``deactivate`` or ``delete``."""
        mode = str(self.settings.get("revoke_mode") or "deactivate")
        if mode not in ("deactivate", "delete"):
            raise ConfigError(
                f"{self.label}: revoke_mode must be 'deactivate' or 'delete', not {mode!r}",
                code="connector-settings",
            )
        return mode

    # --- reading -------------------------------------------------------------------------

    def list_holders(self) -> list[Holder]:
        """Every SCIM user (inactive ones with ``active=False``)."""
        holders: list[Holder] = []
        start = 1
        while True:
            body = self.call_json(
                "GET",
                "/Users",
                headers=self._headers(),
                params={"startIndex": start, "count": _PAGE},
            )
            resources = body.get("Resources") or []
            holders.extend(_holder(user) for user in resources)
            start += len(resources)
            if not resources or start > int(body.get("totalResults") or 0):
                return holders

    def find(self, user_name: str) -> dict[str, Any] | None:
        """The user whose ``userName`` is ``user_name``, or None."""
        escaped = user_name.replace("\\", "\\\\").replace('"', '\\"')
        body = self.call_json(
            "GET",
            "/Users",
            headers=self._headers(),
            params={"filter": f'userName eq "{escaped}"'},
        )
        resources = body.get("Resources") or []
        return resources[0] if resources else None

    def get(self, user_id: str) -> tuple[dict[str, Any] | None, str | None]:
        """The user with SCIM id ``user_id`` and its ETag, or (None, None) when gone."""
        response = self.call(
            "GET", f"/Users/{user_id}", headers=self._headers(), allow=(404,), what="/Users/{id}"
        )
        if response.status_code == 404:
            return None, None
        user = self.json_of(response, "GET", "/Users/{id}")
        return user, response.headers.get("ETag") or _version(user)

    def _locate(self, target: Target) -> dict[str, Any] | None:
        if target.platform_id:
            user, _ = self.get(target.platform_id)
            return user
        user_name = identities(self.settings).get(target.email.lower(), target.email)
        return self.find(user_name)

    # --- writing -------------------------------------------------------------------------

    def revoke(self, target: Target) -> ActionResult:
        """Deactivate (or delete) the user; a missing or inactive user is ``unchanged``."""
        user = self._locate(target)
        if user is None:
            return ActionResult.unchanged(f"no SCIM user for {target.email}", user=target.email)
        user_id = str(user["id"])
        if self.revoke_mode == "delete":
            return self._delete(user_id, _version(user))
        if user.get("active") is False:
            return ActionResult.unchanged(f"{target.email} is already inactive", scim_id=user_id)
        return self._deactivate(user_id, _version(user), retry_stale=True)

    def _deactivate(self, user_id: str, etag: str | None, *, retry_stale: bool) -> ActionResult:
        response = self.call(
            "PATCH",
            f"/Users/{user_id}",
            what="/Users/{id}",
            headers=self._headers(etag),
            json_body={
                "schemas": [PATCH_SCHEMA],
                "Operations": [{"op": "replace", "path": "active", "value": False}],
            },
            allow=(404, 409, 412),
        )
        if response.status_code in (200, 204):
            return ActionResult.changed("deactivated SCIM user", scim_id=user_id)
        if response.status_code == 404:
            return ActionResult.unchanged("SCIM user already gone", scim_id=user_id)
        # 409 or 412: the user changed since we read it; look again.
        fresh, fresh_etag = self.get(user_id)
        if fresh is None:
            return ActionResult.unchanged("SCIM user already gone", scim_id=user_id)
        if fresh.get("active") is False:
            return ActionResult.unchanged("SCIM user already inactive", scim_id=user_id)
        if retry_stale:
            return self._deactivate(user_id, fresh_etag, retry_stale=False)
        raise _conflict(self.label, response)

    def _delete(self, user_id: str, etag: str | None, *, retry_stale: bool = True) -> ActionResult:
        response = self.call(
            "DELETE",
            f"/Users/{user_id}",
            what="/Users/{id}",
            headers=self._headers(etag),
            allow=(404, 409, 412),
        )
        if response.status_code in (200, 204):
            return ActionResult.changed("deleted SCIM user", scim_id=user_id)
        if response.status_code == 404:
            return ActionResult.unchanged("SCIM user already gone", scim_id=user_id)
        if not retry_stale:
            raise _conflict(self.label, response)
        # 409 or 412: the user changed since we read it; once more with its new ETag.
        fresh, fresh_etag = self.get(user_id)
        if fresh is None:
            return ActionResult.unchanged("SCIM user already gone", scim_id=user_id)
        return self._delete(user_id, fresh_etag, retry_stale=False)

    def check(self) -> ActionResult:
        """Read one user page: proves the URL and the bearer token work."""
        body = self.call_json(
            "GET", "/Users", headers=self._headers(), params={"startIndex": 1, "count": 1}
        )
        return ActionResult.unchanged("SCIM endpoint answers", users=body.get("totalResults"))


def _version(user: dict[str, Any]) -> str | None:
    meta = user.get("meta") or {}
    return meta.get("version") or None


def _primary_email(user: dict[str, Any]) -> str | None:
    emails = user.get("emails") or []
    for entry in emails:
        if entry.get("primary") and entry.get("value"):
            return str(entry["value"])
    if emails and emails[0].get("value"):
        return str(emails[0]["value"])
    user_name = str(user.get("userName") or "")
    return user_name if "@" in user_name else None


def _holder(user: dict[str, Any]) -> Holder:
    name = user.get("displayName") or (user.get("name") or {}).get("formatted")
    return Holder(
        platform_id=str(user["id"]),
        email=_primary_email(user),
        name=str(name or user.get("userName") or ""),
        role=_role(user),
        active=user.get("active") is not False,
        raw={"userName": user.get("userName")},
    )


def _role(user: dict[str, Any]) -> str | None:
    """The user's role from the core ``roles`` attribute: an admin role if any, else the primary or first."""
    values = [
        (str(r["value"]), bool(r.get("primary")))
        for r in user.get("roles") or []
        if isinstance(r, dict) and r.get("value")
    ]
    if not values:
        return None
    admin = next((v for v, _ in values if is_admin_role(v)), None)
    primary = next((v for v, p in values if p), None)
    return admin or primary or values[0][0]


def _conflict(label: str, response: requests.Response) -> TransientConnectorError:
    message, _ = platform_message(response)
    return TransientConnectorError(
        f"{label}: the SCIM user kept changing while we updated it "
        f"(HTTP {response.status_code}: {message})",
        hint="retry the step; another system is editing this user right now",
        code="connector-conflict",
    )
