"""Google Ads account users and invitations against a fake shaped from Google's protos.

Each removal is read back on the fake's state; refusals (last admin, retired version,
bad credentials) are clear errors that change nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from accessguard.connectors.base import Target
from accessguard.connectors.egress import EgressRefusedError
from accessguard.connectors.google_ads import GoogleAdsConnector
from accessguard.connectors.http import VERSION_HINT, PlatformRefusedError
from accessguard.connectors.registry import connector_class, connector_name
from accessguard.connectors.settings import settings_problems
from accessguard.errors import PermanentConnectorError
from accessguard.results import Outcome
from accessguard.secret import Secret
from support.fake_google_ads import GoogleAdsFake
from support.fake_http import FakeServer


def _connector(fake: GoogleAdsFake, http: Any, **settings: object) -> GoogleAdsConnector:
    secrets = {k: Secret(v) for k, v in fake.secrets().items()}
    return GoogleAdsConnector(settings=fake.settings(**settings), secrets=secrets, http=http)


def _mutates(fake: GoogleAdsFake) -> list[str]:
    return [h.path for h in fake.hits if h.path.endswith(":mutate")]


def test_lists_users_and_pending_invitations_over_pages(http) -> None:
    with GoogleAdsFake(page_size=2) as fake:
        ann = fake.add_user("Ann@example.com", "ADMIN")
        fake.add_user("bob@example.com", "STANDARD")
        fake.add_user("cat@example.com", "READ_ONLY")
        invite = fake.add_invitation("new@example.com", "ADMIN")
        fake.add_invitation("gone@example.com", status="EXPIRED")
        holders = _connector(fake, http).list_holders()
    assert [(h.platform_id, h.email, h.role) for h in holders] == [
        (ann, "ann@example.com", "ADMIN"),
        (holders[1].platform_id, "bob@example.com", "STANDARD"),
        (holders[2].platform_id, "cat@example.com", "READ_ONLY"),
        (f"invitation/{invite}", "new@example.com", "invited:ADMIN"),
    ]


def test_revoke_removes_the_access_and_reads_it_back(http) -> None:
    with GoogleAdsFake() as fake:
        fake.add_user("owner@example.com", "ADMIN")
        uid = fake.add_user("ann@example.com", "STANDARD")
        conn = _connector(fake, http)
        result = conn.revoke(Target(email="ann@example.com"))
        assert result.outcome is Outcome.CHANGED
        assert result.details == {
            "removed": [f"customers/{fake.customer_id}/customerUserAccesses/{uid}"],
            "confirmed": True,
        }
        assert fake.emails() == {"owner@example.com"}
        again = conn.revoke(Target(email="ann@example.com"))
        assert again.outcome is Outcome.UNCHANGED
        assert len(_mutates(fake)) == 1


def test_a_pending_invitation_is_cancelled(http) -> None:
    with GoogleAdsFake() as fake:
        fake.add_user("owner@example.com", "ADMIN")
        fake.add_invitation("leaver@example.com", "ADMIN")
        fake.add_invitation("newhire@example.com")
        result = _connector(fake, http).revoke(Target(email="leaver@example.com"))
        assert result.outcome is Outcome.CHANGED
        assert "invitation" in result.message
        assert fake.invited() == {"newhire@example.com"}
        assert _mutates(fake) == [
            f"/v26/customers/{fake.customer_id}/customerUserAccessInvitations:mutate"
        ]


def test_access_and_invitation_of_one_person_both_go(http) -> None:
    with GoogleAdsFake() as fake:
        fake.add_user("owner@example.com", "ADMIN")
        fake.add_user("ann@example.com")
        fake.add_invitation("ann@example.com", "ADMIN")
        result = _connector(fake, http).revoke(Target(email="ann@example.com"))
        assert result.message.startswith("removed access and invitation")
        assert "ann@example.com" not in fake.emails() | fake.invited()


def test_identities_match_a_personal_sign_in_email(http) -> None:
    with GoogleAdsFake() as fake:
        fake.add_user("owner@example.com", "ADMIN")
        fake.add_user("ann.personal@gmail.example")
        conn = _connector(fake, http, identities={"ann@example.com": "ann.personal@gmail.example"})
        assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.CHANGED
        assert fake.emails() == {"owner@example.com"}


def test_an_unknown_person_is_unchanged_and_nothing_is_sent(http) -> None:
    with GoogleAdsFake() as fake:
        fake.add_user("owner@example.com", "ADMIN")
        fake.add_invitation("new@example.com")
        result = _connector(fake, http).revoke(Target(email="ghost@example.com"))
        assert result.outcome is Outcome.UNCHANGED
        assert (fake.emails(), fake.invited(), _mutates(fake)) == (
            {"owner@example.com"},
            {"new@example.com"},
            [],
        )


def test_the_last_admin_is_a_clear_refusal_and_stays(http) -> None:
    with GoogleAdsFake() as fake:
        fake.add_user("ann@example.com", "ADMIN")
        fake.add_user("bob@example.com", "STANDARD")
        with pytest.raises(PlatformRefusedError) as refused:
            _connector(fake, http).revoke(Target(email="ann@example.com"))
        assert "will not remove the last admin" in refused.value.message
        assert "make another person an admin" in (refused.value.hint or "")
        assert fake.emails() == {"ann@example.com", "bob@example.com"}


def test_a_wrong_oauth_token_is_an_auth_error(http) -> None:
    with GoogleAdsFake() as fake:
        conn = GoogleAdsConnector(
            settings=fake.settings(),
            secrets={"token": Secret("stale"), "developer_token": Secret(fake.developer_token)},
            http=http,
        )
        with pytest.raises(PlatformRefusedError) as refused:
            conn.list_holders()
    assert (refused.value.status, refused.value.code) == (401, "connector-auth")
    assert "OAuth token in the header is not valid" in refused.value.message


def test_a_wrong_developer_token_says_so_and_is_not_shown(http) -> None:
    with GoogleAdsFake() as fake:
        conn = GoogleAdsConnector(
            settings=fake.settings(),
            secrets={"token": Secret(fake.token), "developer_token": Secret("dev-token-WRONG-42")},
            http=http,
        )
        with pytest.raises(PlatformRefusedError) as refused:
            conn.revoke(Target(email="ann@example.com"))
    text = f"{refused.value.message} {refused.value.hint}"
    assert "developer token" in text
    assert "developer_token" in (refused.value.hint or "")
    assert "dev-token-WRONG-42" not in text
    assert fake.token not in text


def test_a_missing_developer_token_names_where_to_store_it(http) -> None:
    with GoogleAdsFake() as fake:
        conn = GoogleAdsConnector(
            settings=fake.settings(), secrets={"token": Secret(fake.token)}, http=http
        )
        with pytest.raises(Exception, match="no 'developer_token' secret") as missing:
            conn.list_holders()
        assert fake.hits == []
    assert "developer_token" in str(getattr(missing.value, "hint", ""))


@pytest.mark.parametrize("version", ["v21", "v19"])
def test_a_retired_version_names_the_api_version_setting(http, version: str) -> None:
    """v21 answers UNSUPPORTED_VERSION; v19's paths are gone (Google's plain 404 page)."""
    with GoogleAdsFake() as fake:
        fake.add_user("ann@example.com", "ADMIN")
        fake.add_user("bob@example.com", "ADMIN")
        with pytest.raises(PlatformRefusedError) as refused:
            _connector(fake, http, api_version=version).revoke(Target(email="ann@example.com"))
        assert fake.emails() == {"ann@example.com", "bob@example.com"}
    assert refused.value.hint == VERSION_HINT
    assert refused.value.code == "connector-version-retired"
    assert "api_version" in refused.value.hint


def test_the_default_version_is_served(http) -> None:
    with GoogleAdsFake() as fake:
        conn = _connector(fake, http)
        assert "Northwind Ads" in conn.check().message
        assert {h.path.split("/")[1] for h in fake.hits} == {"v26"}


def test_a_manager_account_needs_login_customer_id(http) -> None:
    with GoogleAdsFake(manager_id="9998887777") as fake:
        fake.add_user("ann@example.com")
        settings = fake.settings()
        settings.pop("login_customer_id")
        secrets = {k: Secret(v) for k, v in fake.secrets().items()}
        conn = GoogleAdsConnector(settings=settings, secrets=secrets, http=http)
        with pytest.raises(PlatformRefusedError) as refused:
            conn.list_holders()
        assert "login_customer_id" in (refused.value.hint or "")
        with_manager = _connector(fake, http, login_customer_id="999-888-7777")
        assert [h.email for h in with_manager.list_holders()] == ["ann@example.com"]


def test_a_listing_cannot_point_the_removal_at_another_customer(http) -> None:
    """A hostile answer naming another customer's entry: nothing is removed anywhere."""
    with GoogleAdsFake() as fake:
        fake.add_user("owner@example.com", "ADMIN")
        uid = fake.add_user("ann@example.com")
        fake.users[uid]["resource_name"] = "customers/5550001111/customerUserAccesses/42"
        with pytest.raises(PermanentConnectorError, match="not an entry of customer"):
            _connector(fake, http).revoke(Target(email="ann@example.com"))
        assert _mutates(fake) == []
        assert "ann@example.com" in fake.emails()


def test_a_base_url_elsewhere_never_receives_the_tokens(http) -> None:
    with GoogleAdsFake() as fake, FakeServer(trusted=False) as attacker:
        with pytest.raises(EgressRefusedError):
            _connector(fake, http, base_url=attacker.url).list_holders()
    assert attacker.hits == []


def test_a_remove_whose_answer_was_lost_is_retried_and_found_done(http, sleeps) -> None:
    """Google acted but its answer was lost (503): the retry finds the access gone."""
    with GoogleAdsFake() as fake:
        fake.add_user("owner@example.com", "ADMIN")
        fake.add_user("ann@example.com")
        fake.lose_next_answer = True
        result = _connector(fake, http).revoke(Target(email="ann@example.com"))
        assert fake.emails() == {"owner@example.com"}
    assert result.outcome is Outcome.UNCHANGED
    assert len(sleeps) == 1


def test_a_removal_that_did_not_take_fails(http) -> None:
    """The read-back is real: Google says success but the user still has access."""
    with GoogleAdsFake() as fake:
        fake.add_user("owner@example.com", "ADMIN")
        fake.add_user("ann@example.com")
        fake.removes_ignored = True
        result = _connector(fake, http).revoke(Target(email="ann@example.com"))
    assert result.outcome is Outcome.FAILED
    assert "still lists ann@example.com" in result.message


def test_settings_are_checked_before_anything_is_stored() -> None:
    spec = GoogleAdsConnector.settings_spec
    assert settings_problems(spec, {"customer_id": "123-456-7890"}) == []
    assert settings_problems(spec, {"customer_id": "12345"}) == [
        "setting 'customer_id' does not have the required form "
        "(the Google Ads customer id, 123-456-7890 or 1234567890)"
    ]
    assert settings_problems(spec, {"customer_id": "1234567890", "api_version": "26"})
    assert settings_problems(spec, {}) == [
        "missing required setting 'customer_id' "
        "(the Google Ads customer id, 123-456-7890 or 1234567890)"
    ]


def test_registered_for_the_google_ads_platform() -> None:
    class Account:
        name, platform, handle, connector = "ads", "google-ads", "nw", None
        settings: ClassVar[dict[str, str]] = {"customer_id": "1234567890"}

    cls = connector_class("google_ads")
    assert connector_name(Account()) == "google_ads"
    assert cls.official_hosts == ("googleads.googleapis.com",)
    assert cls.secret_keys == ("token", "developer_token")
