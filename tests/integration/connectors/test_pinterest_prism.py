"""Pinterest against Prism mocking the official v5 OpenAPI spec: Prism rejects any request the spec forbids."""

from __future__ import annotations

import pytest

from accessguard.connectors.base import Target
from accessguard.connectors.http import HttpClient, PlatformRefusedError
from accessguard.connectors.pinterest import PinterestConnector
from accessguard.results import Outcome
from accessguard.secret import Secret

# The spec's examples, which Prism answers with.
EXAMPLE_MEMBER = "383791336903426391"
EXAMPLE_EMAIL = "business0101@business.com"


def connector(
    prism, http: HttpClient, business_id: str = "729090764583391194"
) -> PinterestConnector:
    return PinterestConnector(
        settings={"base_url": prism.url, "business_id": business_id},
        secrets={"token": Secret("pina_test_token_123")},
        http=http,
    )


def test_list_members(prism, http) -> None:
    holders = connector(prism, http).list_holders()
    assert holders and holders[0].platform_id == EXAMPLE_MEMBER
    assert holders[0].email == EXAMPLE_EMAIL and holders[0].role == "BIZ_ADMIN"


def test_revoke_sends_a_body_the_spec_accepts(prism, http) -> None:
    result = connector(prism, http).revoke(Target(email=EXAMPLE_EMAIL))
    assert result.outcome is Outcome.CHANGED
    assert result.details == {
        "member_id": EXAMPLE_MEMBER,
        "roles": ["BIZ_ADMIN"],
        "confirmed": True,
    }


def test_revoke_of_a_non_member_is_unchanged(prism, http) -> None:
    assert (
        connector(prism, http).revoke(Target(email="nobody@example.com")).outcome
        is Outcome.UNCHANGED
    )


def test_check(prism, http) -> None:
    assert connector(prism, http).check().outcome is Outcome.UNCHANGED


def test_prism_rejects_a_malformed_delete_body(prism, http) -> None:
    """Negative control: a body without business_role violates MembersToDeleteBody."""
    with pytest.raises(PlatformRefusedError) as info:
        http.request(
            "DELETE",
            f"{prism.url}/businesses/729090764583391194/members",
            service="pinterest",
            headers={"Authorization": "Bearer pina_test_token_123"},
            json_body={"members": [{"member_id": EXAMPLE_MEMBER}]},
        )
    assert info.value.status == 422


def test_a_setting_that_breaks_the_spec_fails_the_connector(prism, http) -> None:
    """business_id must be digits: Prism refuses, and the connector reports it as permanent."""
    with pytest.raises(PlatformRefusedError) as info:
        connector(prism, http, business_id="not-digits").list_holders()
    assert info.value.status == 422
