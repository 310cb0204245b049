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
    prism, http: HttpClient, business_id: str = "729090764583391194", **settings: object
) -> PinterestConnector:
    return PinterestConnector(
        settings={"base_url": prism.url, "business_id": business_id, **settings},
        secrets={"token": Secret("pina_test_token_123")},
        http=http,
    )


def test_list_members(prism, http) -> None:
    holders = connector(prism, http).list_holders()
    assert holders and holders[0].platform_id == EXAMPLE_MEMBER
    assert holders[0].email == EXAMPLE_EMAIL and holders[0].role == "BIZ_ADMIN"


def test_revoke_sends_a_body_the_spec_accepts(prism, http) -> None:
    """Membership and partnership removals, each request validated by Prism."""
    result = connector(prism, http, invites=False).revoke(Target(email=EXAMPLE_EMAIL))
    assert result.outcome is Outcome.CHANGED
    assert result.details == {
        "member_id": EXAMPLE_MEMBER,
        "roles": ["BIZ_ADMIN"],
        "removed": ["membership", "partnership"],
        "confirmed": True,
    }


def test_pending_invitations_and_partners_are_listed(prism, http) -> None:
    holders = connector(prism, http).list_holders()
    kinds = {h.raw.get("kind", "member") for h in holders}
    assert kinds == {"member", "invite", "partner"}
    invite = next(h for h in holders if h.raw.get("kind") == "invite")
    assert invite.active is False and invite.email == EXAMPLE_EMAIL


def test_invite_cancellation_request_matches_the_spec(prism, http) -> None:
    """The connector's cancel body passes Prism's request validation.

    Prism answers this call with a 500 whatever the request: the official spec's own
    example response (``exception.invite_id``) violates the spec's pattern. So the test
    reads Prism's violation list and requires that none of them is in the request.
    """
    from accessguard.connectors.pinterest import cancel_invites_body

    url = f"{prism.url}/businesses/729090764583391194/invites"
    headers = {"Authorization": "Bearer pina_test", "Content-Type": "application/json"}
    answer = http.session.request(
        "DELETE", url, json=cancel_invites_body([EXAMPLE_MEMBER]), headers=headers, timeout=10
    )
    violations = answer.json().get("validation") or []
    assert answer.status_code == 500 and violations, answer.text  # the request passed
    assert all(v["location"][0] == "response" for v in violations), violations
    bad = http.session.request(
        "DELETE", url, json={"invite_ids": ["not-digits"]}, headers=headers, timeout=10
    )
    assert 400 <= bad.status_code < 500  # negative control: Prism checks this request


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
