"""Meta against Prism serving an OpenAPI derived from Meta's official Graph API node specs.

The document is built at test time from ``../shared/specs/meta-graph`` (facebook-business-
sdk-codegen, v25.0): a call, parameter or value the specs do not allow gets 422 from Prism.
"""

from __future__ import annotations

import pytest

from accessguard.connectors.base import Target
from accessguard.connectors.http import HttpClient, PlatformRefusedError
from accessguard.connectors.meta import DEFAULT_VERSION, MetaConnector
from accessguard.results import Outcome
from accessguard.secret import Secret
from support.spec_openapi import meta_openapi

TOKEN = "meta-contract-token"


def connector(meta_prism, http: HttpClient, **settings: object) -> MetaConnector:
    return MetaConnector(
        settings={
            "base_url": meta_prism.url,
            "business_id": "4411",
            "page_id": "7722",
            "instagram_asset_id": "8833",
            "ad_account_ids": ["act_9944"],
            "identities": {"contracts@acme.example": "5001"},
            **settings,
        },
        secrets={"token": Secret(TOKEN)},
        http=http,
    )


def test_the_default_version_is_the_specs_version() -> None:
    assert DEFAULT_VERSION == "v25.0"


def test_assigned_users_is_the_same_call_on_page_instagram_and_ad_account() -> None:
    """The derivation fails if the three node specs disagree; DELETE takes ``user`` only."""
    document = meta_openapi()
    delete = document["paths"]["/v25.0/{asset-id}/assigned_users"]["delete"]
    query = delete["parameters"][1]["schema"]
    allowed = {name for name, schema in query["properties"].items() if schema != {"not": {}}}
    assert allowed == {"user"}


def test_list_holders_makes_only_calls_the_spec_allows(meta_prism, http) -> None:
    holders = {(h.platform_id, h.role) for h in connector(meta_prism, http).list_holders()}
    assert holders == {
        ("1001", "business:EMPLOYEE, page:, instagram:, ad_account/act_9944:"),
        ("3001", "invited:ADMIN"),
        ("5001", "page:agency, instagram:agency, ad_account/act_9944:agency"),
    }


def test_revoke_of_a_member_sends_deletes_the_spec_accepts(meta_prism, http) -> None:
    result = connector(meta_prism, http).revoke(Target(email="ann@example.com"))
    assert result.outcome is Outcome.CHANGED
    assert result.details["removed"] == ["page", "instagram", "ad_account/act_9944", "business"]


def test_cancel_of_an_invitation_is_accepted(meta_prism, http) -> None:
    result = connector(meta_prism, http).revoke(Target(email="invitee@example.com"))
    assert result.details["removed"] == ["invitation"]


def test_removal_of_an_agency_is_accepted(meta_prism, http) -> None:
    result = connector(meta_prism, http).revoke(Target(email="contracts@acme.example"))
    assert result.details["removed"] == [
        "page agency",
        "instagram agency",
        "ad_account/act_9944 agency",
    ]


def test_check(meta_prism, http) -> None:
    assert connector(meta_prism, http).check().outcome is Outcome.UNCHANGED


def _refused(http: HttpClient, method: str, url: str, params: dict[str, str]) -> int:
    with pytest.raises(PlatformRefusedError) as info:
        http.request(
            method,
            url,
            service="meta",
            headers={"Authorization": f"Bearer {TOKEN}"},
            params=params,
        )
    return info.value.status


def test_prism_rejects_the_old_delete_with_business(meta_prism, http) -> None:
    """Negative control: the old code's DELETE assigned_users also sent ``business``."""
    url = f"{meta_prism.url}/v25.0/7722/assigned_users"
    assert _refused(http, "DELETE", url, {"user": "1001", "business": "4411"}) == 422


def test_prism_rejects_assigned_users_without_business(meta_prism, http) -> None:
    url = f"{meta_prism.url}/v25.0/7722/assigned_users"
    assert _refused(http, "GET", url, {"fields": "id,name"}) == 422


def test_prism_rejects_an_agency_delete_without_business(meta_prism, http) -> None:
    url = f"{meta_prism.url}/v25.0/7722/agencies"
    assert _refused(http, "DELETE", url, {}) == 422


def test_prism_rejects_a_field_the_node_does_not_have(meta_prism, http) -> None:
    """``fields`` names only the node's fields: Graph refuses a nonexisting one (#100)."""
    url = f"{meta_prism.url}/v25.0/4411/business_users"
    assert _refused(http, "GET", url, {"fields": "id,name,phone"}) == 422


def test_a_non_numeric_business_id_breaks_the_contract(meta_prism, http) -> None:
    with pytest.raises(PlatformRefusedError) as info:
        connector(meta_prism, http, business_id="northwind").list_holders()
    assert info.value.status == 422
