"""Reddit moderators of a subreddit.

Settings: ``subreddit``; optional ``identities`` (email -> Reddit username),
``user_agent`` (Reddit's required form ``platform:app-id:version (by /u/username)``;
by default ``server:accessguard:<version> (by /u/<bot_username>)``), ``bot_username``
(the Reddit account the token belongs to), ``base_url`` (default
https://oauth.reddit.com). Pending moderator invitations count as access: an invited
leaver could still accept after the offboarding, so ``revoke`` removes them too
(``unfriend`` with ``type=moderator_invite``). Secret: ``token`` (OAuth bearer with ``modothers``).
Reddit reports failures inside ``{"json": {"errors": [[CODE, message, field]]}}``.
"""

from __future__ import annotations

from typing import ClassVar

import requests

from accessguard import __version__
from accessguard.connectors.base import Holder, Target
from accessguard.connectors.http import Verdict
from accessguard.connectors.http_connector import HttpConnector
from accessguard.connectors.matching import find_holder
from accessguard.connectors.settings import BASE_URL, IDENTITIES, Setting
from accessguard.results import ActionResult


def reddit_verdict(response: requests.Response) -> Verdict | None:
    """Read the ``json.errors`` list Reddit uses on form endpoints."""
    if not response.ok:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    errors = (body.get("json") or {}).get("errors") if isinstance(body, dict) else None
    if not errors:
        return None
    first = errors[0]
    code = str(first[0]) if isinstance(first, list) and first else str(first)
    text = str(first[1]) if isinstance(first, list) and len(first) > 1 else code
    return Verdict(code == "RATELIMIT", f"{text} ({code})", code)


#: The User-Agent form Reddit's API rules require.
USER_AGENT = r"[\w.-]+:[\w.-]+:[\w.+-]+ \(by /u/[\w-]+\)"


class RedditConnector(HttpConnector):
    """Moderators of one subreddit."""

    name: ClassVar[str] = "reddit"
    default_base_url: ClassVar[str] = "https://oauth.reddit.com"
    official_hosts: ClassVar[tuple[str, ...]] = ("oauth.reddit.com",)
    settings_spec: ClassVar[tuple[Setting, ...]] = (
        Setting("subreddit", "text", required=True, help="the subreddit, without r/"),
        Setting(
            "user_agent",
            "text",
            help="platform:app-id:version (by /u/username), the form Reddit requires",
            pattern=USER_AGENT,
        ),
        Setting("bot_username", "text", help="the Reddit account the token belongs to"),
        BASE_URL,
        IDENTITIES,
    )
    summary: ClassVar[str] = "Reddit moderators and pending moderator invitations"

    def _headers(self) -> dict[str, str]:
        agent = str(self.settings.get("user_agent") or "")
        if not agent:
            bot = str(self.settings.get("bot_username") or "accessguard")
            agent = f"server:accessguard:{__version__} (by /u/{bot})"
        return {"Authorization": f"Bearer {self.secret()}", "User-Agent": agent}

    @property
    def _sub(self) -> str:
        return str(self.settings["subreddit"]).removeprefix("r/")

    def list_holders(self) -> list[Holder]:
        """Every moderator with their permissions."""
        body = self.call_json(
            "GET",
            f"/r/{self._sub}/about/moderators",
            headers=self._headers(),
            params={"raw_json": 1},
        )
        children = (body.get("data") or {}).get("children") or []
        return [
            Holder(
                platform_id=str(mod["name"]),
                name=str(mod["name"]),
                role=",".join(mod.get("mod_permissions") or []) or "moderator",
                raw={"id": mod.get("id")},
            )
            for mod in children
        ] + self._invited()

    def _invited(self) -> list[Holder]:
        """Pending moderator invitations: people who can still accept (inactive holders)."""
        body = self.call_json(
            "GET",
            f"/api/v1/{self._sub}/moderators_invited",
            what="/api/v1/{subreddit}/moderators_invited",
            headers=self._headers(),
        )
        invited = body.get("moderators") or {}
        return [
            Holder(
                platform_id=str(invited[key]["username"]),
                name=str(invited[key]["username"]),
                role="moderator_invite",
                active=False,
                raw={"id": key},
            )
            for key in body.get("moderatorIds") or []
            if key in invited
        ]

    def revoke(self, target: Target) -> ActionResult:
        """Remove the person as moderator (matched through ``identities``)."""
        matches = find_holder(self.list_holders(), target, self.settings)
        if not matches:
            return ActionResult.unchanged(f"{target.email} is not a moderator of r/{self._sub}")
        username = matches[0].platform_id
        removed: list[str] = []
        for holder in matches:
            kind = "moderator_invite" if holder.role == "moderator_invite" else "moderator"
            self.call(
                "POST",
                f"/r/{self._sub}/api/unfriend",
                headers=self._headers(),
                data={"name": holder.platform_id, "type": kind, "api_type": "json"},
                inspect=reddit_verdict,
            )
            removed.append("invitation" if kind == "moderator_invite" else "moderator")
        return ActionResult.changed(
            f"removed u/{username} ({' and '.join(removed)})", username=username, removed=removed
        )

    def check(self) -> ActionResult:
        """List the moderators once."""
        count = len(self.list_holders())
        return ActionResult.unchanged(f"r/{self._sub} answers ({count} moderators)")
