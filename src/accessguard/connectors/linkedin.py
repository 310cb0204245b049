"""LinkedIn Page roles: listed through ``organizationAcls``; removal is a manual step.

Settings: ``organization_id``; optional ``api_version`` (``LinkedIn-Version`` header,
default ``DEFAULT_VERSION``), ``identities`` (email -> ``urn:li:person:…``), ``base_url``. Secret:
``token`` (``rw_organization_admin``). The API lists page admins by person URN only,
and we do not trust its delete path, so ``revoke`` checks who still holds a role and
returns a WAITING step with exact instructions.
"""

from __future__ import annotations

from typing import ClassVar

from accessguard.connectors.base import Holder, Target
from accessguard.connectors.http_connector import HttpConnector
from accessguard.connectors.manual import instructions_for
from accessguard.connectors.matching import find_holder, identities
from accessguard.connectors.settings import BASE_URL, IDENTITIES, Setting
from accessguard.results import ActionResult

_PAGE = 100
#: LinkedIn-Version sent unless ``api_version`` says otherwise: July 2026, supported
#: until about July 2027 (LinkedIn keeps each monthly version for at least a year).
DEFAULT_VERSION = "202607"


class LinkedInConnector(HttpConnector):
    """A LinkedIn Page's role holders."""

    name: ClassVar[str] = "linkedin"
    can_revoke: ClassVar[bool] = False
    default_base_url: ClassVar[str] = "https://api.linkedin.com"
    official_hosts: ClassVar[tuple[str, ...]] = ("api.linkedin.com",)
    settings_spec: ClassVar[tuple[Setting, ...]] = (
        Setting(
            "organization_id", "id", required=True, help="the LinkedIn organization id (digits)"
        ),
        Setting(
            "api_version",
            "text",
            help=f"LinkedIn-Version header, YYYYMM (default {DEFAULT_VERSION})",
        ),
        BASE_URL,
        IDENTITIES,
    )
    summary: ClassVar[str] = "LinkedIn Page roles (list by API; revoke is a manual step)"

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.secret()}",
            "LinkedIn-Version": str(self.settings.get("api_version") or DEFAULT_VERSION),
            "X-Restli-Protocol-Version": "2.0.0",
        }

    def list_holders(self) -> list[Holder]:
        """Every role assignment on the organization (approved ones are active)."""
        holders: list[Holder] = []
        start = 0
        organization = f"urn:li:organization:{self.settings['organization_id']}"
        while True:
            body = self.call_json(
                "GET",
                "/rest/organizationAcls",
                headers=self._headers(),
                params={
                    "q": "organization",
                    "organization": organization,
                    "start": start,
                    "count": _PAGE,
                },
            )
            elements = body.get("elements") or []
            for acl in elements:
                holders.append(
                    Holder(
                        platform_id=str(acl.get("roleAssignee")),
                        role=acl.get("role"),
                        active=acl.get("state", "APPROVED") == "APPROVED",
                        raw={"state": acl.get("state")},
                    )
                )
            start += len(elements)
            total = (body.get("paging") or {}).get("total")
            if not elements or (total is not None and start >= int(total)):
                return holders

    def revoke(self, target: Target) -> ActionResult:
        """A manual step, unless the API already shows no role for the person."""
        mapped = find_holder(self.list_holders(), target, self.settings)
        if not mapped and (target.platform_id or target.email.lower() in identities(self.settings)):
            return ActionResult.unchanged(f"{target.email} holds no LinkedIn Page role")
        handle = self.account.handle if self.account else str(self.settings["organization_id"])
        return ActionResult.waiting(
            f"remove {target.email} from the LinkedIn Page by hand",
            instructions_for("linkedin", handle=handle, target=target),
            roles=[h.role for h in mapped],
        )

    def check(self) -> ActionResult:
        """Read one ACL entry."""
        self.call_json(
            "GET",
            "/rest/organizationAcls",
            headers=self._headers(),
            params={
                "q": "organization",
                "organization": f"urn:li:organization:{self.settings['organization_id']}",
                "count": 1,
            },
        )
        return ActionResult.unchanged("LinkedIn organizationAcls answers")
