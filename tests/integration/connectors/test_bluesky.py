"""The Bluesky connector against a loopback PDS shaped from the atproto lexicons."""

from __future__ import annotations

import pytest

from accessguard.connectors.base import Target
from accessguard.connectors.bluesky import BlueskyConnector, EmailCodeRequired
from accessguard.connectors.egress import EgressRefusedError
from accessguard.connectors.http import PlatformRefusedError
from accessguard.errors import ConfigError, PermanentConnectorError
from accessguard.results import Outcome
from accessguard.secret import Secret
from support.fake_bluesky import BlueskyFake

NEW = "bluesky-new-pw-1"


def _connector(pds: BlueskyFake, http, password: str = NEW) -> BlueskyConnector:
    return BlueskyConnector(
        settings=pds.settings(), secrets={"password": Secret(password)}, http=http
    )


def _with_leaver_devices(pds: BlueskyFake) -> None:
    """The leaver signed in with the old password and made two app passwords."""
    leaver = pds.sign_in(pds.password)
    pds.create_app_password(leaver, "ann-phone")
    pds.create_app_password(leaver, "scheduler")


def test_revokes_every_app_password_reads_back_and_ends_its_session(http) -> None:
    with BlueskyFake() as pds:
        _with_leaver_devices(pds)
        pds.change_password(NEW)
        result = _connector(pds, http).revoke_app_passwords()
        assert result.outcome is Outcome.CHANGED
        assert result.details["revoked"] == ["ann-phone", "scheduler"]
        assert pds.names() == set()
        assert pds.open_sessions() == 0  # the tool deleted its own session
        lists = [h for h in pds.hits if h.path.endswith("listAppPasswords")]
        assert len(lists) == 2  # the list, then the read-back


def test_a_second_revocation_finds_none_and_is_unchanged(http) -> None:
    with BlueskyFake(password=NEW) as pds:
        conn = _connector(pds, http)
        result = conn.revoke_app_passwords()
        assert result.outcome is Outcome.UNCHANGED
        assert pds.open_sessions() == 0


def test_the_requests_follow_the_lexicons(http) -> None:
    with BlueskyFake(password=NEW) as pds:
        _with_leaver_devices(pds)
        _connector(pds, http).revoke_app_passwords()
        seen = [(h.method, h.path) for h in pds.hits]
        assert seen == [
            ("POST", "/xrpc/com.atproto.server.createSession"),
            ("GET", "/xrpc/com.atproto.server.listAppPasswords"),
            ("POST", "/xrpc/com.atproto.server.revokeAppPassword"),
            ("POST", "/xrpc/com.atproto.server.revokeAppPassword"),
            ("GET", "/xrpc/com.atproto.server.listAppPasswords"),
            ("POST", "/xrpc/com.atproto.server.deleteSession"),
        ]
        assert pds.hits[0].json() == {"identifier": pds.handle, "password": NEW}
        assert [h.json() for h in pds.hits[2:4]] == [{"name": "ann-phone"}, {"name": "scheduler"}]
        # deleteSession carries the refresh token, the others the access token.
        refresh = pds.sessions[-1].refresh
        assert pds.hits[-1].header("authorization") == f"Bearer {refresh}"
        assert pds.hits[1].header("authorization") != f"Bearer {refresh}"


def test_the_old_password_is_refused_with_a_hint_and_nothing_is_revoked(http) -> None:
    with BlueskyFake() as pds:
        _with_leaver_devices(pds)
        with pytest.raises(PlatformRefusedError) as caught:
            _connector(pds, http, password="not-the-password-on-bluesky").revoke_app_passwords()
        assert caught.value.code == "bluesky-login-refused"
        assert "really changed on Bluesky" in (caught.value.hint or "")
        assert "not-the-password-on-bluesky" not in caught.value.message
        assert pds.names() == {"ann-phone", "scheduler"}


def test_attack_a_pds_that_keeps_revoked_passwords_fails_the_read_back(http) -> None:
    with BlueskyFake(password=NEW, stubborn=True) as pds:
        _with_leaver_devices(pds)
        with pytest.raises(PermanentConnectorError) as caught:
            _connector(pds, http).revoke_app_passwords()
        assert caught.value.code == "bluesky-still-listed"
        assert "ann-phone" in caught.value.message
        assert pds.open_sessions() == 1  # only the leaver's; the tool's was deleted


def test_email_2fa_needs_a_person(http) -> None:
    with BlueskyFake(password=NEW, email_2fa=True) as pds:
        with pytest.raises(EmailCodeRequired):
            _connector(pds, http).revoke_app_passwords()


def test_a_malformed_answer_is_a_clear_error(http) -> None:
    with BlueskyFake(password=NEW) as pds:
        pds.fail_next(
            200, body={"passwords": "all of them"}, path="/xrpc/com.atproto.server.listAppPasswords"
        )
        with pytest.raises(PermanentConnectorError) as caught:
            _connector(pds, http).revoke_app_passwords()
        assert caught.value.code == "bluesky-bad-answer"
        assert pds.open_sessions() == 0


def test_rate_limited_calls_wait_what_the_pds_asks(http, sleeps) -> None:
    with BlueskyFake(password=NEW) as pds:
        pds.fail_next(
            429,
            body={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            path="/xrpc/com.atproto.server.listAppPasswords",
        )
        assert _connector(pds, http).revoke_app_passwords().outcome is Outcome.UNCHANGED
        assert len(sleeps) == 1


def test_attack_the_password_is_never_sent_to_a_host_nobody_allowed(http) -> None:
    rogue = BlueskyFake(password=NEW)
    rogue.trusted = False  # an attacker's server: no admin listed it in allowed_hosts
    with rogue:
        settings = {"handle": rogue.handle, "pds_url": rogue.url}
        conn = BlueskyConnector(settings=settings, secrets={"password": Secret(NEW)}, http=http)
        with pytest.raises(EgressRefusedError):
            conn.revoke_app_passwords()
        assert rogue.hits == []


def test_settings_and_what_it_does_not_do(http) -> None:
    with pytest.raises(ConfigError, match="handle"):
        BlueskyConnector(settings={}, secrets={}, http=http)
    conn = BlueskyConnector(settings={"handle": "@brand.bsky.social"}, secrets={}, http=http)
    assert conn.base_url == "https://bsky.social"
    assert conn.handle == "brand.bsky.social"
    assert conn.check().outcome is Outcome.UNCHANGED  # no token of its own: nothing sent
    assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.WAITING
    with pytest.raises(PermanentConnectorError):
        conn.list_holders()
    elsewhere = {"handle": "brand.example.com", "pds_url": "https://pds.example.com"}
    with pytest.raises(EgressRefusedError, match="allowed_hosts"):
        BlueskyConnector(settings=elsewhere, secrets={}, http=http).check()


def test_check_signs_in_and_counts(http) -> None:
    with BlueskyFake(password=NEW) as pds:
        _with_leaver_devices(pds)
        result = _connector(pds, http).check()
        assert "2 app password" in result.message
        assert pds.names() == {"ann-phone", "scheduler"}
        assert pds.open_sessions() == 1  # the leaver's only


def test_a_revocation_the_pds_failed_to_answer_is_sent_again(http, sleeps) -> None:
    with BlueskyFake(password=NEW) as pds:
        _with_leaver_devices(pds)
        pds.fail_next(503, path="/xrpc/com.atproto.server.revokeAppPassword")
        result = _connector(pds, http).revoke_app_passwords()
        assert result.outcome is Outcome.CHANGED
        assert pds.names() == set()


def test_an_html_page_instead_of_json_is_a_clear_error(http) -> None:
    with BlueskyFake(password=NEW) as pds:
        pds.fail_next(200, body="<html>maintenance</html>", path="/xrpc/com.atproto.server.list")
        with pytest.raises(PermanentConnectorError) as caught:
            _connector(pds, http).revoke_app_passwords()
        assert caught.value.code == "connector-bad-answer"
        assert pds.open_sessions() == 0
