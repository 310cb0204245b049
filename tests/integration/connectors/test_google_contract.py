"""Google Business Profile against Prism serving an OpenAPI derived from Google's discovery document.

The document is built at test time from ``../shared/specs`` (mybusinessaccountmanagement
v1): paths, parameters, schemas and enums are Google's; a request they do not allow gets
422 from Prism.
"""

from __future__ import annotations

import json

import pytest

from accessguard.connectors.base import Target
from accessguard.connectors.google_business_profile import GoogleBusinessProfileConnector
from accessguard.connectors.http import HttpClient, PlatformRefusedError
from accessguard.results import Outcome
from accessguard.secret import Secret
from support.spec_openapi import GOOGLE_DISCOVERY, google_openapi

TOKEN = "ya29.contract-token"


def connector(google_prism, http: HttpClient) -> GoogleBusinessProfileConnector:
    return GoogleBusinessProfileConnector(
        settings={"base_url": google_prism.url, "account_id": "111", "location_ids": ["222"]},
        secrets={"token": Secret(TOKEN)},
        http=http,
    )


def test_admin_roles_come_from_the_discovery_document() -> None:
    discovery = json.loads(GOOGLE_DISCOVERY.read_text())
    derived = google_openapi()["components"]["schemas"]["Admin"]["properties"]["role"]
    assert derived["enum"] == discovery["schemas"]["Admin"]["properties"]["role"]["enum"]


def test_list_holders_of_account_and_location(google_prism, http) -> None:
    holders = connector(google_prism, http).list_holders()
    assert [(h.platform_id, h.role) for h in holders] == [
        ("accounts/111/admins/901", "OWNER"),
        ("accounts/111/admins/902", "PRIMARY_OWNER"),
        ("locations/222/admins/903", "MANAGER"),
    ]


def test_revoke_deletes_every_admin_entry_the_spec_accepts(google_prism, http) -> None:
    result = connector(google_prism, http).revoke(Target(email="ann@example.com"))
    assert result.outcome is Outcome.CHANGED
    assert result.details["admins"] == ["accounts/111/admins/901", "locations/222/admins/903"]


def test_check(google_prism, http) -> None:
    assert connector(google_prism, http).check().outcome is Outcome.UNCHANGED


def test_prism_rejects_a_parameter_admins_list_does_not_define(google_prism, http) -> None:
    """Negative control: ``pageSize`` belongs to accounts.list, not to admins.list."""
    with pytest.raises(PlatformRefusedError) as info:
        http.request(
            "GET",
            f"{google_prism.url}/v1/accounts/111/admins",
            service="google_business_profile",
            headers={"Authorization": f"Bearer {TOKEN}"},
            params={"pageSize": "10"},
        )
    assert info.value.status == 422


def test_prism_rejects_a_call_without_a_token(google_prism, http) -> None:
    with pytest.raises(PlatformRefusedError) as info:
        http.request(
            "GET", f"{google_prism.url}/v1/accounts/111", service="google_business_profile"
        )
    assert info.value.status == 401
