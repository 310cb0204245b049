"""TikTok Business Center removals against a fake shaped from the Business API v1.3 docs:
asset permissions unassigned before the membership, invitations cancelled by email, each
read back on the fake's state."""

from __future__ import annotations

from typing import Any

import pytest

from accessguard.connectors.base import Target
from accessguard.connectors.tiktok import TikTokConnector
from accessguard.errors import ConfigError, TransientConnectorError
from accessguard.results import Outcome
from accessguard.secret import Secret
from support.fake_http import Reply, Request
from support.fake_tiktok import TikTokBusinessFake


def connector(fake: TikTokBusinessFake, http: Any, **settings: Any) -> TikTokConnector:
    return TikTokConnector(
        settings={"base_url": fake.url, "bc_id": fake.bc_id, **settings},
        secrets={"token": Secret(fake.token)},
        http=http,
    )


def brand_center(fake: TikTokBusinessFake) -> dict[str, str]:
    """ann holds an ad account, a pixel, a catalog and a TikTok account; bob shares the ad account."""
    ann = fake.add_member("ann@example.com", "Ann")
    bob = fake.add_member("bob@example.com", "Bob", role="ADMIN")
    ads = fake.add_asset("ADVERTISER", "Brand US ads")
    pixel = fake.add_asset("PIXEL", "Site pixel")
    catalog = fake.add_asset("CATALOG", "Spring catalog")
    account = fake.add_asset("TT_ACCOUNT", "@brand")
    fake.assign(ann, "ADVERTISER", ads, "OPERATOR")
    fake.assign(ann, "PIXEL", pixel, "ADMIN")
    fake.assign(ann, "CATALOG", catalog, "AD_PROMOTE")
    fake.assign(ann, "TT_ACCOUNT", account, ["POST", "DIRECT_MESSAGE"])
    fake.assign(bob, "ADVERTISER", ads, "ADMIN")
    return {"ann": ann, "bob": bob, "ads": ads, "pixel": pixel, "catalog": catalog, "tt": account}


def test_revoke_unassigns_every_asset_then_removes_the_member(http) -> None:
    with TikTokBusinessFake() as fake:
        ids = brand_center(fake)
        conn = connector(fake, http)
        listed = conn.member_assets(next(h for h in conn.list_holders() if h.name == "Ann"))
        assert {(a["asset_type"], a["role"]) for a in listed} == {
            ("ADVERTISER", "OPERATOR"),
            ("PIXEL", None),
            ("CATALOG", "AD_PROMOTE"),
            ("TT_ACCOUNT", "POST+DIRECT_MESSAGE"),
        }

        result = conn.revoke(Target(email="ann@example.com"))

        assert result.outcome is Outcome.CHANGED
        assert result.details["removed"] == [
            f"ADVERTISER {ids['ads']}",
            f"CATALOG {ids['catalog']}",
            f"PIXEL {ids['pixel']}",
            f"TT_ACCOUNT {ids['tt']}",
            "membership",
        ]
        assert result.details["confirmed"] is True
        assert fake.assets_of(ids["ann"]) == set()
        assert "ann@example.com" not in fake.emails()
        assert fake.assets_of(ids["bob"]) == {("ADVERTISER", ids["ads"])}  # bob keeps his


def test_each_removal_is_in_the_platforms_own_activity_log(http) -> None:
    with TikTokBusinessFake() as fake:
        brand_center(fake)
        connector(fake, http).revoke(Target(email="ann@example.com"))
        texts = [entry["activity_log"] for entry in fake.log]
        assert texts == [
            "Removed ann@example.com's permission on ADVERTISER Brand US ads",
            "Removed ann@example.com's permission on CATALOG Spring catalog",
            "Removed ann@example.com's permission on PIXEL Site pixel",
            "Removed ann@example.com's permission on TT_ACCOUNT @brand",
            "Removed ann@example.com from the Business Center",
        ]


def test_a_second_revoke_is_unchanged(http) -> None:
    with TikTokBusinessFake() as fake:
        brand_center(fake)
        conn = connector(fake, http)
        conn.revoke(Target(email="ann@example.com"))
        assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.UNCHANGED


def test_assets_are_gone_before_the_membership_is_touched(http, sleeps) -> None:
    """The membership removal fails: the asset permissions are already gone; a retry finishes."""
    with TikTokBusinessFake() as fake:
        ids = brand_center(fake)
        fake.fail_next(
            200,
            times=3,
            path="/open_api/v1.3/bc/member/delete/",
            body={"code": 50000, "message": "System error", "request_id": "r"},
        )
        conn = connector(fake, http)
        with pytest.raises(TransientConnectorError, match="System error"):
            conn.revoke(Target(email="ann@example.com"))
        assert fake.assets_of(ids["ann"]) == set()
        assert "ann@example.com" in fake.emails()

        again = conn.revoke(Target(email="ann@example.com"))
        assert again.outcome is Outcome.CHANGED
        assert again.details["removed"] == ["membership"]
        assert "ann@example.com" not in fake.emails()


def test_more_assets_than_one_page_are_all_unassigned(http) -> None:
    with TikTokBusinessFake() as fake:
        ann = fake.add_member("ann@example.com")
        for n in range(55):  # /bc/asset/get/ pages hold at most 50
            fake.assign(ann, "ADVERTISER", fake.add_asset("ADVERTISER", f"ads {n}"), "ANALYST")
        result = connector(fake, http).revoke(Target(email="ann@example.com"))
        assert len(result.details["assets"]) == 55
        assert fake.assets_of(ann) == set()


def test_a_pending_invitation_is_cancelled_by_email(http) -> None:
    """An invitee has no user id: TikTok documents user_email for cancelling an invitation."""
    with TikTokBusinessFake() as fake:
        brand_center(fake)
        ads = fake.add_asset("ADVERTISER", "Agency ads")
        fake.add_member("new@example.com", pending=True)
        fake.assign("new@example.com", "ADVERTISER", ads, "ADMIN")  # granted with the invitation
        conn = connector(fake, http)

        result = conn.revoke(Target(email="new@example.com"))

        assert result.outcome is Outcome.CHANGED
        assert result.details["removed"] == ["invitation"]
        assert result.details["assets"] == [
            {
                "asset_type": "ADVERTISER",
                "asset_id": ads,
                "asset_name": "Agency ads",
                "role": "ADMIN",
                "pending": True,
            }
        ]
        assert "new@example.com" not in fake.emails()
        assert fake.assets_of("new@example.com") == set()
        assert {h.email for h in conn.list_holders()} == {"ann@example.com", "bob@example.com"}


def test_asset_types_narrows_what_is_listed(http) -> None:
    with TikTokBusinessFake() as fake:
        brand_center(fake)
        conn = connector(fake, http, asset_types=["PIXEL", "CATALOG"])
        ann = next(h for h in conn.list_holders() if h.name == "Ann")
        assert {a["asset_type"] for a in conn.member_assets(ann)} == {"PIXEL", "CATALOG"}


def test_an_unknown_asset_type_is_a_config_error_naming_the_setting(http) -> None:
    with TikTokBusinessFake() as fake, pytest.raises(ConfigError, match="asset_types: PIXELS"):
        connector(fake, http, asset_types=["PIXELS"])


class SaysOkKeepsAccess(TikTokBusinessFake):
    """A platform that answers OK to an unassign or a removal but keeps the access."""

    def __init__(self, keep: str) -> None:
        super().__init__()
        self.keep = keep

    def route(self, request: Request) -> Reply:
        if request.path == self.keep and request.method == "POST":
            if request.header("access-token") == self.token:
                return self._ok({})
        return super().route(request)


def test_an_unassign_the_read_back_still_lists_fails_and_keeps_the_member(http) -> None:
    with SaysOkKeepsAccess("/open_api/v1.3/bc/asset/unassign/") as fake:
        ids = brand_center(fake)
        result = connector(fake, http).revoke(Target(email="ann@example.com"))
        assert result.outcome is Outcome.FAILED
        assert "still listed after unassign" in result.message
        assert f"PIXEL {ids['pixel']}" in result.details["left"]
        assert "ann@example.com" in fake.emails()  # not removed while unconfirmed


def test_a_removal_the_read_back_still_lists_fails(http) -> None:
    with SaysOkKeepsAccess("/open_api/v1.3/bc/member/delete/") as fake:
        brand_center(fake)
        result = connector(fake, http).revoke(Target(email="ann@example.com"))
        assert result.outcome is Outcome.FAILED
        assert "still listed in the Business Center" in result.message


@pytest.mark.parametrize("code", [40100, 40132])
def test_tiktoks_rate_limit_answers_are_retried(http, sleeps, code: int) -> None:
    with TikTokBusinessFake() as fake:
        ids = brand_center(fake)
        fake.fail_next(
            200,
            path="/open_api/v1.3/bc/asset/unassign/",
            body={"code": code, "message": "Requests made too frequently", "request_id": "r"},
        )
        result = connector(fake, http).revoke(Target(email="ann@example.com"))
        assert result.outcome is Outcome.CHANGED
        assert fake.assets_of(ids["ann"]) == set()
