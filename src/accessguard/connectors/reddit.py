"""Reddit moderators of a subreddit.

Settings: ``subreddit``; optional ``identities`` (email -> Reddit username),
``user_agent`` (Reddit asks for a descriptive one), ``base_url`` (default
https://oauth.reddit.com). Secret: ``token`` (OAuth bearer with ``modothers``).
Reddit reports failures inside ``{"json": {"errors": [[CODE, message, field]]}}``.
"""

from __future__ import annotations

from typing import ClassVar

import requests

from accessguard.connectors.base import Holder, Target
from accessguard.connectors.http import Verdict
from accessguard.connectors.http_connector import HttpConnector
from accessguard.connectors.matching import find_holder
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


class RedditConnector(HttpConnector):
    """Moderators of one subreddit."""

    name: ClassVar[str] = "reddit"
    default_base_url: ClassVar[str] = "https://oauth.reddit.com"
    official_hosts: ClassVar[tuple[str, ...]] = ("oauth.reddit.com",)
    required_settings: ClassVar[tuple[str, ...]] = ("subreddit",)
    summary: ClassVar[str] = "Reddit subreddit moderators (unfriend type=moderator)"

    def _headers(self) -> dict[str, str]:
        agent = str(self.settings.get("user_agent") or "accessguard (moderator offboarding)")
        return {"Authorization": f"Bearer {self.secret()}", "User-Agent": agent}

    @property
    def _sub(self) -> str:
        return str(self.settings["subreddit"]).removeprefix("r/")

    def list_holders(self) -> list[Holder]:
        """Every moderator with their permissions."""
        body = self.call(
            "GET",
            f"/r/{self._sub}/about/moderators",
            headers=self._headers(),
            params={"raw_json": 1},
        ).json()
        children = (body.get("data") or {}).get("children") or []
        return [
            Holder(
                platform_id=str(mod["name"]),
                name=str(mod["name"]),
                role=",".join(mod.get("mod_permissions") or []) or "moderator",
                raw={"id": mod.get("id")},
            )
            for mod in children
        ]

    def revoke(self, target: Target) -> ActionResult:
        """Remove the person as moderator (matched through ``identities``)."""
        matches = find_holder(self.list_holders(), target, self.settings)
        if not matches:
            return ActionResult.unchanged(f"{target.email} is not a moderator of r/{self._sub}")
        username = matches[0].platform_id
        self.call(
            "POST",
            f"/r/{self._sub}/api/unfriend",
            headers=self._headers(),
            data={"name": username, "type": "moderator", "api_type": "json"},
            inspect=reddit_verdict,
        )
        return ActionResult.changed(f"removed u/{username} as moderator", username=username)

    def check(self) -> ActionResult:
        """List the moderators once."""
        count = len(self.list_holders())
        return ActionResult.unchanged(f"r/{self._sub} answers ({count} moderators)")
