"""Meta, TikTok, Google Business Profile, LinkedIn, Reddit and Okta against documented-shape fakes."""

from __future__ import annotations

import pytest

from accessguard.connectors.base import Target
from accessguard.connectors.google_business_profile import GoogleBusinessProfileConnector
from accessguard.connectors.http import PlatformRefusedError
from accessguard.connectors.linkedin import LinkedInConnector
from accessguard.connectors.meta import MetaConnector
from accessguard.connectors.okta import OktaConnector
from accessguard.connectors.reddit import RedditConnector
from accessguard.connectors.tiktok import TikTokConnector
from accessguard.errors import ConfigError, PermanentConnectorError, TransientConnectorError
from accessguard.results import Outcome
from accessguard.secret import Secret
from support.fake_meta import MetaFake
from support.fake_platforms import (
    GoogleBusinessProfileFake,
    LinkedInFake,
    OktaFake,
    RedditFake,
)
from support.fake_tiktok import TikTokBusinessFake


def test_meta_lists_business_and_page_users_and_revokes_both(http) -> None:
    with MetaFake() as meta:
        ann = meta.add_user(
            "ann@example.com",
            "Ann",
            page_tasks=["MANAGE", "CREATE_CONTENT"],
            instagram_tasks=["CONTENT"],
        )
        meta.add_user("bob@example.com", "Bob", role="ADMIN")
        for n in range(120):  # more than one page of business users
            meta.add_user(f"user{n}@example.com")
        conn = MetaConnector(
            settings=meta.settings(), secrets={"token": Secret(meta.token)}, http=http
        )
        holders = {h.email: h for h in conn.list_holders()}
        assert len(holders) == 122
        assert holders["ann@example.com"].role == (
            "business:EMPLOYEE, page:MANAGE+CREATE_CONTENT, instagram:CONTENT"
        )
        assert holders["ann@example.com"].platform_id == ann

        result = conn.revoke(Target(email="ann@example.com"))
        assert result.outcome is Outcome.CHANGED
        assert result.details["removed"] == ["page", "instagram", "business"]
        assert "ann@example.com" not in (
            meta.business_emails() | meta.page_emails() | meta.instagram_emails()
        )
        assert "bob@example.com" in meta.business_emails()
        assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.UNCHANGED


def test_meta_missing_setting_is_a_config_error(http) -> None:
    with pytest.raises(ConfigError, match="business_id"):
        MetaConnector(settings={}, secrets={"token": Secret("x-123456")}, http=http)


def test_tiktok_members_revoke_and_invitations(http) -> None:
    with TikTokBusinessFake() as tiktok:
        for n in range(25):
            tiktok.add_member(f"m{n}@example.com")
        tiktok.add_member("ann@example.com", "Ann", role="ADMIN")
        tiktok.add_member("new@example.com", pending=True)
        conn = TikTokConnector(
            settings={"base_url": tiktok.url, "bc_id": tiktok.bc_id},
            secrets={"token": Secret(tiktok.token)},
            http=http,
        )
        assert len(conn.list_holders()) == 27  # two pages of at most 20
        assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.CHANGED
        assert conn.revoke(Target(email="new@example.com")).outcome is Outcome.CHANGED
        assert not {"ann@example.com", "new@example.com"} & tiktok.emails()
        assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.UNCHANGED


def test_tiktok_errors_in_http_200(http, sleeps) -> None:
    with TikTokBusinessFake() as tiktok:
        bad = TikTokConnector(
            settings={"base_url": tiktok.url, "bc_id": tiktok.bc_id},
            secrets={"token": Secret("nope-1234")},
            http=http,
        )
        with pytest.raises(PermanentConnectorError, match=r"access token is invalid \(code 40105"):
            bad.check()
        conn = TikTokConnector(
            settings={"base_url": tiktok.url, "bc_id": tiktok.bc_id},
            secrets={"token": Secret(tiktok.token)},
            http=http,
        )
        tiktok.fail_next(
            200, body={"code": 40100, "message": "Requests made too frequently", "request_id": "r"}
        )
        assert conn.check().outcome is Outcome.UNCHANGED
        assert len(sleeps) == 1
        tiktok.fail_next(
            200, times=3, body={"code": 50000, "message": "System error", "request_id": "r"}
        )
        with pytest.raises(TransientConnectorError, match="System error"):
            conn.check()


def test_google_business_profile_matches_names_and_pending_emails(http) -> None:
    with GoogleBusinessProfileFake() as gbp:
        ann = gbp.add_admin("Ann Smith", role="OWNER")
        gbp.add_admin("Ann Smith", role="MANAGER")  # same person, a second entry
        gbp.add_admin("bob@example.com", pending=True)
        keep = gbp.add_admin("Carol Jones")
        conn = GoogleBusinessProfileConnector(
            settings={
                "base_url": gbp.url,
                "account_id": "5511",
                "identities": {"dan@example.com": keep},
            },
            secrets={"token": Secret(gbp.token)},
            http=http,
        )
        holders = conn.list_holders()
        assert {h.email for h in holders} == {None, "bob@example.com"}
        result = conn.revoke(Target(email="ann@example.com", name="Ann Smith"))
        assert result.outcome is Outcome.CHANGED and ann in result.details["admins"]
        assert conn.revoke(Target(email="bob@example.com")).outcome is Outcome.CHANGED
        assert set(gbp.admins) == {keep}
        assert (
            conn.revoke(Target(email="ann@example.com", name="Ann Smith")).outcome
            is Outcome.UNCHANGED
        )
        assert conn.revoke(Target(email="dan@example.com")).outcome is Outcome.CHANGED
        assert gbp.admins == {}


def test_linkedin_lists_roles_and_revoke_waits(http) -> None:
    with LinkedInFake() as li:
        li.add_role("urn:li:person:ann1")
        li.add_role("urn:li:person:bob2", role="ANALYST", state="REVOKED")
        conn = LinkedInConnector(
            settings={
                "base_url": li.url,
                "organization_id": "9911",
                "identities": {
                    "ann@example.com": "urn:li:person:ann1",
                    "bob@example.com": "urn:li:person:bob2",
                },
            },
            secrets={"token": Secret(li.token)},
            http=http,
        )
        holders = {h.platform_id: h for h in conn.list_holders()}
        assert holders["urn:li:person:ann1"].active and not holders["urn:li:person:bob2"].active
        waiting = conn.revoke(Target(email="ann@example.com", name="Ann"))
        assert waiting.outcome is Outcome.WAITING
        assert (
            "Manage admins" in (waiting.instructions or "")
            and "ann@example.com" in waiting.instructions
        )
        li.acls.clear()
        assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.UNCHANGED
        assert conn.check().outcome is Outcome.UNCHANGED


def test_linkedin_default_version_is_served_and_a_retired_one_names_the_setting(http) -> None:
    """The old default (202405) is retired; a retired version is one clear error."""
    with LinkedInFake() as li:
        li.add_role("urn:li:person:ann1")
        settings = {"base_url": li.url, "organization_id": "9911"}
        fresh = LinkedInConnector(settings=settings, secrets={"token": Secret(li.token)}, http=http)
        assert len(fresh.list_holders()) == 1
        old = LinkedInConnector(
            settings={**settings, "api_version": "202405"},
            secrets={"token": Secret(li.token)},
            http=http,
        )
        with pytest.raises(PlatformRefusedError) as caught:
            old.list_holders()
        assert caught.value.code == "connector-version-retired"
        assert "api_version" in (caught.value.hint or "")


def test_reddit_moderators(http) -> None:
    with RedditFake() as reddit:
        reddit.moderators = {"ann_mod": ["all"], "bob_mod": ["posts", "wiki"]}
        conn = RedditConnector(
            settings={
                "base_url": reddit.url,
                "subreddit": "r/northwind",
                "identities": {"ann@example.com": "ann_mod"},
            },
            secrets={"token": Secret(reddit.token)},
            http=http,
        )
        assert {h.platform_id: h.role for h in conn.list_holders()} == {
            "ann_mod": "all",
            "bob_mod": "posts,wiki",
        }
        assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.CHANGED
        assert set(reddit.moderators) == {"bob_mod"}
        assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.UNCHANGED
        # A json.errors answer (HTTP 200) is a permanent failure with Reddit's message.
        reddit.fail_next(
            200,
            path="/r/northwind/api/unfriend",
            body={"json": {"errors": [["USER_DOESNT_EXIST", "that user doesn't exist", "name"]]}},
        )
        with pytest.raises(PlatformRefusedError, match="that user doesn't exist"):
            conn.revoke(Target(email="x@example.com", platform_id="bob_mod"))


def test_reddit_pending_invitation_is_access_and_is_revoked(http) -> None:
    """An invited leaver could accept after the offboarding: the invitation goes too."""
    with RedditFake() as reddit:
        reddit.moderators = {"ann_mod": ["all"], "bob_mod": ["posts"]}
        reddit.invited = {"ann_mod": ["all"], "cara_new": ["wiki"]}
        conn = RedditConnector(
            settings={
                "base_url": reddit.url,
                "subreddit": "northwind",
                "identities": {"ann@example.com": "ann_mod", "cara@example.com": "cara_new"},
            },
            secrets={"token": Secret(reddit.token)},
            http=http,
        )
        invites = {h.platform_id for h in conn.list_holders() if h.role == "moderator_invite"}
        assert invites == {"ann_mod", "cara_new"}
        assert conn.revoke(Target(email="cara@example.com")).outcome is Outcome.CHANGED
        assert set(reddit.invited) == {"ann_mod"} and set(reddit.moderators) == {
            "ann_mod",
            "bob_mod",
        }
        result = conn.revoke(Target(email="ann@example.com"))
        assert result.outcome is Outcome.CHANGED
        assert reddit.invited == {} and set(reddit.moderators) == {"bob_mod"}
        assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.UNCHANGED


def test_reddit_user_agent_has_the_form_reddit_requires(http) -> None:
    """The fake answers 429 to agents not in ``platform:app:version (by /u/name)`` form."""
    with RedditFake() as reddit:
        settings = {"base_url": reddit.url, "subreddit": "northwind", "bot_username": "nw_bot"}
        conn = RedditConnector(
            settings=settings, secrets={"token": Secret(reddit.token)}, http=http
        )
        assert conn.check().outcome is Outcome.UNCHANGED
        agent = reddit.hits[-1].header("user-agent") or ""
        assert agent.startswith("server:accessguard:") and agent.endswith("(by /u/nw_bot)")


def test_okta_login_with_a_slash_is_found_by_search(http) -> None:
    """Okta cannot take such a login as a path segment: it is looked up by search."""
    with OktaFake() as okta:
        uid = okta.add_user("corp/ann", sessions=1)
        conn = OktaConnector(
            settings={"base_url": okta.url, "identities": {"ann@example.com": "corp/ann"}},
            secrets={"token": Secret(okta.token)},
            http=http,
        )
        assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.CHANGED
        assert okta.users[uid]["status"] == "DEPROVISIONED" and okta.oauth_tokens[uid] == 0
        assert all("/corp" not in hit.path for hit in okta.hits)


def test_okta_deactivates_and_clears_sessions(http) -> None:
    with OktaFake() as okta:
        uid = okta.add_user("ann@example.com", sessions=3)
        conn = OktaConnector(
            settings={"base_url": okta.url}, secrets={"token": Secret(okta.token)}, http=http
        )
        assert conn.find_user("ann@example.com")["id"] == uid
        assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.CHANGED
        assert okta.status_of("ann@example.com") == "DEPROVISIONED" and okta.sessions[uid] == 0
        assert okta.oauth_tokens[uid] == 0, "the user's OAuth tokens survive the offboarding"
        assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.UNCHANGED
        assert conn.revoke(Target(email="ghost@example.com")).outcome is Outcome.UNCHANGED
        assert conn.check().outcome is Outcome.UNCHANGED
        with pytest.raises(PermanentConnectorError, match="cannot list"):
            conn.list_holders()
