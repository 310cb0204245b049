"""Okta: find a user by login, clear their sessions, deactivate them.

An optional first step of a playbook: cutting the identity provider closes every app
behind it. Settings: ``base_url`` (the org URL, https://example.okta.com); optional
``clear_sessions`` (default true), ``identities`` (email -> Okta login). Secret:
``token`` (an API token, sent as ``SSWS``). Okta does not list "holders" of an
account, so ``can_list`` is false.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

from accessguard.connectors.base import Holder, Target
from accessguard.connectors.http_connector import HttpConnector
from accessguard.connectors.matching import identities
from accessguard.connectors.settings import IDENTITIES, Setting
from accessguard.results import ActionResult

_INACTIVE = ("DEPROVISIONED",)


class OktaConnector(HttpConnector):
    """Deactivate an Okta user and end their sessions."""

    name: ClassVar[str] = "okta"
    can_list: ClassVar[bool] = False
    settings_spec: ClassVar[tuple[Setting, ...]] = (
        Setting(
            "base_url", "url", required=True, help="the Okta org URL, https://example.okta.com"
        ),
        Setting(
            "clear_sessions", "bool", help="clear sessions and OAuth tokens first (default true)"
        ),
        IDENTITIES,
    )
    summary: ClassVar[str] = "Okta: find user, clear sessions, deactivate"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"SSWS {self.secret()}", "Accept": "application/json"}

    def find_user(self, login: str) -> dict[str, Any] | None:
        """The Okta user with this login (or id), or None.

        A login containing ``/`` cannot be a path segment of ``/api/v1/users/{login}``
        (Okta's documentation says to use search or the id), so it is found with
        ``search=profile.login eq "..."``.
        """
        if "/" in login:
            escaped = login.replace("\\", "\\\\").replace('"', '\\"')
            found = self.call_json(
                "GET",
                "/api/v1/users",
                headers=self._headers(),
                params={"search": f'profile.login eq "{escaped}"', "limit": 2},
            )
            return found[0] if isinstance(found, list) and found else None
        response = self.call(
            "GET",
            f"/api/v1/users/{quote(login, safe='@.')}",
            what="/api/v1/users/{login}",
            headers=self._headers(),
            allow=(404,),
        )
        if response.status_code == 404:
            return None
        user = self.json_of(response, "GET", "/api/v1/users/{login}")
        return user if isinstance(user, dict) else None

    def list_holders(self) -> list[Holder]:
        """Not supported: Okta is the identity provider, not an account with holders."""
        self.cannot_list()

    def revoke(self, target: Target) -> ActionResult:
        """Clear sessions, then deactivate; a missing or deprovisioned user is unchanged."""
        login = target.platform_id or identities(self.settings).get(
            target.email.lower(), target.email
        )
        user = self.find_user(login)
        if user is None:
            return ActionResult.unchanged(f"no Okta user {login}")
        user_id = str(user["id"])
        if user.get("status") in _INACTIVE:
            return ActionResult.unchanged(
                f"Okta user {login} is already deactivated", user_id=user_id
            )
        if self.settings.get("clear_sessions", True):
            self.call(
                "DELETE",
                f"/api/v1/users/{user_id}/sessions",
                what="/api/v1/users/{id}/sessions",
                headers=self._headers(),
                # also revoke the OAuth/OIDC tokens Okta issued to the user's apps
                params={"oauthTokens": "true"},
                allow=(404,),
            )
        self.call(
            "POST",
            f"/api/v1/users/{user_id}/lifecycle/deactivate",
            what="/api/v1/users/{id}/lifecycle/deactivate",
            headers=self._headers(),
        )
        return ActionResult.changed(
            f"cleared sessions and OAuth tokens, deactivated {login}", user_id=user_id
        )

    def check(self) -> ActionResult:
        """Read the token's own user."""
        body = self.call_json("GET", "/api/v1/users/me", headers=self._headers())
        login = (body.get("profile") or {}).get("login")
        return ActionResult.unchanged(f"Okta answers as {login or 'the token user'}")
