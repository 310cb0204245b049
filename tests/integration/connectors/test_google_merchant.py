"""Google Merchant Center users against a fake shaped from the Merchant API's protos and reference.

Each removal is read back on the fake's state; refusals (last admin, retired version,
bad token) are clear errors that change nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from accessguard.connectors.base import Target
from accessguard.connectors.google_merchant import GoogleMerchantConnector
from accessguard.connectors.http import VERSION_HINT, PlatformRefusedError
from accessguard.connectors.registry import connector_name
from accessguard.connectors.settings import settings_problems
from accessguard.errors import PermanentConnectorError
from accessguard.results import Outcome
from accessguard.secret import Secret
from support.fake_merchant import MerchantFake


def _connector(fake: MerchantFake, http: Any, **settings: object) -> GoogleMerchantConnector:
    return GoogleMerchantConnector(
        settings=fake.settings(**settings), secrets={"token": Secret(fake.token)}, http=http
    )


def _deletes(fake: MerchantFake) -> list[str]:
    return [h.path for h in fake.hits if h.method == "DELETE"]


def test_lists_users_and_pending_invitations_over_pages(http) -> None:
    with MerchantFake(page_size=2) as fake:
        fake.add_user("owner@example.com", ("ADMIN",))
        fake.add_user("Ann@example.com", ("STANDARD", "PERFORMANCE_REPORTING"))
        fake.add_user("new@example.com", ("ADMIN",), pending=True)
        holders = _connector(fake, http).list_holders()
    assert [(h.email, h.role) for h in holders] == [
        ("owner@example.com", "ADMIN"),
        ("ann@example.com", "STANDARD+PERFORMANCE_REPORTING"),
        ("new@example.com", "invited:ADMIN"),
    ]


def test_revoke_deletes_the_user_and_reads_it_back(http) -> None:
    with MerchantFake() as fake:
        fake.add_user("owner@example.com", ("ADMIN",))
        fake.add_user("ann@example.com")
        conn = _connector(fake, http)
        result = conn.revoke(Target(email="ann@example.com"))
        assert result.outcome is Outcome.CHANGED
        assert result.details == {"removed": ["ann@example.com"], "confirmed": True}
        assert fake.emails() == {"owner@example.com"}
        assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.UNCHANGED
        assert len(_deletes(fake)) == 1


def test_a_pending_invitation_is_deleted(http) -> None:
    with MerchantFake() as fake:
        fake.add_user("owner@example.com", ("ADMIN",))
        fake.add_user("leaver@example.com", ("ADMIN",), pending=True)
        result = _connector(fake, http).revoke(Target(email="leaver@example.com"))
        assert result.outcome is Outcome.CHANGED
        assert "pending invitation" in result.message
        assert fake.emails() == {"owner@example.com"}


def test_the_email_is_one_encoded_path_segment(http) -> None:
    """``+`` and ``@`` are percent-encoded, as gRPC transcoding expects of a single segment."""
    with MerchantFake() as fake:
        fake.add_user("owner@example.com", ("ADMIN",))
        fake.add_user("ann+shop@example.com")
        _connector(fake, http).revoke(Target(email="ann+shop@example.com"))
        assert _deletes(fake) == [
            f"/accounts/v1/accounts/{fake.account_id}/users/ann%2Bshop%40example.com"
        ]
        assert fake.emails() == {"owner@example.com"}


def test_a_listed_name_with_a_slash_is_refused_before_any_delete(http) -> None:
    """A hostile listing cannot turn a user's id into another path."""
    with MerchantFake() as fake:
        fake.add_user("owner@example.com", ("ADMIN",))
        fake.users["x"] = {
            "name": f"accounts/{fake.account_id}/users/../../999/users/owner@example.com",
            "state": "VERIFIED",
            "accessRights": ["STANDARD"],
        }
        with pytest.raises(PermanentConnectorError, match="not a user of account"):
            _connector(fake, http).revoke(Target(email="owner@example.com"))
        assert _deletes(fake) == []


def test_identities_match_a_personal_sign_in_email(http) -> None:
    with MerchantFake() as fake:
        fake.add_user("owner@example.com", ("ADMIN",))
        fake.add_user("ann.home@mail.example")
        conn = _connector(fake, http, identities={"ann@example.com": "ann.home@mail.example"})
        assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.CHANGED
        assert fake.emails() == {"owner@example.com"}


def test_an_unknown_person_is_unchanged_and_nothing_is_deleted(http) -> None:
    with MerchantFake() as fake:
        fake.add_user("owner@example.com", ("ADMIN",))
        result = _connector(fake, http).revoke(Target(email="ghost@example.com"))
        assert result.outcome is Outcome.UNCHANGED
        assert (fake.emails(), _deletes(fake)) == ({"owner@example.com"}, [])


def test_the_last_admin_is_a_clear_refusal_and_stays(http) -> None:
    with MerchantFake() as fake:
        fake.add_user("ann@example.com", ("ADMIN",))
        fake.add_user("bob@example.com")
        with pytest.raises(PlatformRefusedError) as refused:
            _connector(fake, http).revoke(Target(email="ann@example.com"))
        assert "will not delete the last admin" in refused.value.message
        assert "make another person an admin" in (refused.value.hint or "")
        assert fake.emails() == {"ann@example.com", "bob@example.com"}


def test_a_user_deleted_meanwhile_counts_as_already_removed(http) -> None:
    """Google's JSON 404 on the delete means gone; the read-back confirms it."""
    with MerchantFake() as fake:
        fake.add_user("owner@example.com", ("ADMIN",))
        fake.add_user("ann@example.com")
        fake.removed_by_someone_else = True
        result = _connector(fake, http).revoke(Target(email="ann@example.com"))
        assert result.outcome is Outcome.UNCHANGED
        assert fake.emails() == {"owner@example.com"}


def test_a_wrong_token_is_an_auth_error(http) -> None:
    with MerchantFake() as fake:
        conn = GoogleMerchantConnector(
            settings=fake.settings(), secrets={"token": Secret("stale-token-77")}, http=http
        )
        with pytest.raises(PlatformRefusedError) as refused:
            conn.list_holders()
    assert (refused.value.status, refused.value.code) == (401, "connector-auth")
    assert "stale-token-77" not in refused.value.message


def test_a_retired_version_names_the_api_version_setting(http) -> None:
    with MerchantFake() as fake:
        fake.add_user("owner@example.com", ("ADMIN",))
        fake.add_user("ann@example.com")
        with pytest.raises(PlatformRefusedError) as refused:
            _connector(fake, http, api_version="v1beta").revoke(Target(email="ann@example.com"))
        assert fake.emails() == {"owner@example.com", "ann@example.com"}
    assert refused.value.hint == VERSION_HINT
    assert refused.value.code == "connector-version-retired"


def test_check_reads_the_account_on_the_default_version(http) -> None:
    with MerchantFake() as fake:
        assert (
            "Northwind Shop"
            in _connector(fake, http, account_id=f"accounts/{fake.account_id}").check().message
        )
        assert {h.path.split("/")[2] for h in fake.hits} == {"v1"}


def test_settings_are_checked_and_the_platform_defaults_to_it() -> None:
    spec = GoogleMerchantConnector.settings_spec
    assert settings_problems(spec, {"account_id": "accounts/123"}) == []
    assert settings_problems(spec, {"account_id": "shop"})
    assert settings_problems(spec, {"account_id": "123", "api_version": "1"})

    class Account:
        name, platform, handle, connector, settings = (
            "gmc",
            "google-merchant-center",
            "",
            None,
            None,
        )

    assert connector_name(Account()) == "manual"  # no settings yet: the manual checklist
    Account.settings = {"account_id": "123"}  # type: ignore[assignment]
    assert connector_name(Account()) == "google_merchant"
