"""The Meta lock-out scan against Prism serving the OpenAPI derived from Meta's official node
specs (``../shared/specs/meta-graph``, v25.0): the fields it asks for and the values it
expects are the specs' own; a misspelt field is refused (422) as Graph refuses it (#100)."""

from __future__ import annotations

import pytest

from accessguard.connectors.http import HttpClient, PlatformRefusedError
from accessguard.connectors.meta import MetaConnector
from accessguard.connectors.meta_lockout import (
    BUSINESS_FIELDS,
    TWO_FACTOR_TYPES,
    USER_FIELDS,
    BusinessUserFacts,
)
from accessguard.secret import Secret
from support.spec_openapi import meta_openapi

TOKEN = "meta-contract-token"


def _connector(meta_prism, http: HttpClient) -> MetaConnector:
    return MetaConnector(
        settings={"base_url": meta_prism.url, "business_id": "4411"},
        secrets={"token": Secret(TOKEN)},
        http=http,
    )


def _answer(path: str) -> dict:
    operation = meta_openapi()["paths"][f"/v25.0{path}"]["get"]
    schema: dict = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return schema


def test_the_two_factor_types_are_the_specs_enum() -> None:
    """The values the findings grade are exactly ``business_two_factor_type``'s."""
    business = _answer("/{id}")["properties"]
    assert set(business["two_factor_type"]["enum"]) == set(TWO_FACTOR_TYPES)


def test_the_fields_read_are_the_nodes_fields() -> None:
    business = _answer("/{id}")["properties"]
    user = _answer("/{business-id}/business_users")["properties"]["data"]["items"]["properties"]
    assert set(BUSINESS_FIELDS.split(",")) <= set(business)
    assert set(USER_FIELDS.split(",")) <= set(user)


def test_lockout_makes_only_calls_the_spec_allows(meta_prism, http) -> None:
    facts = _connector(meta_prism, http).lockout()
    assert facts.two_factor_type == "admin_required"
    assert facts.users == (
        BusinessUserFacts(
            "1001", "Ann", "ann@example.com", "EMPLOYEE", "enabled", "ann.new@example.com"
        ),
    )


def _refused(http: HttpClient, url: str, fields: str) -> int:
    with pytest.raises(PlatformRefusedError) as info:
        http.request(
            "GET",
            url,
            service="meta",
            headers={"Authorization": f"Bearer {TOKEN}"},
            params={"fields": fields},
        )
    return info.value.status


def test_prism_rejects_a_misspelt_business_field(meta_prism, http) -> None:
    """Negative control: ``two_factor_status`` is not a Business field."""
    assert _refused(http, f"{meta_prism.url}/v25.0/4411", "id,two_factor_status") == 422


def test_prism_rejects_a_misspelt_business_user_field(meta_prism, http) -> None:
    """Negative control: ``two_factor_status`` is not a BusinessUser field (it is ``two_fac_status``)."""
    url = f"{meta_prism.url}/v25.0/4411/business_users"
    assert _refused(http, url, "id,role,two_factor_status") == 422
