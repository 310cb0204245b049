"""Typed item parameters round-trip through the stored plan JSON, and older plans still load."""

from __future__ import annotations

from typing import Any

import pytest

from accessguard.playbooks.plan import Plan, PlanItem, PlanStep
from accessguard.playbooks.sources import (
    AccountParams,
    CredentialParams,
    GrantParams,
    HandoverParams,
    ItemParams,
    SeedParams,
    Source,
    SubjectParams,
)

EXAMPLES: list[tuple[Source, ItemParams]] = [
    (Source.SUBJECT, SubjectParams("ann@example.com")),
    (Source.SUBJECT, SubjectParams()),
    (Source.ACCOUNT, AccountParams(3, "brand")),
    (
        Source.GRANTS,
        GrantParams(12, 3, "brand", "x", "@brand", "admin", "platform-role", "bob@x", "Bob"),
    ),
    (Source.GRANTS, GrantParams(12, 3, "brand", "x", "@brand", "admin", "platform-role")),
    (Source.EXPOSED_CREDENTIALS, CredentialParams(7, 3, "brand", "x", 2, True)),
    (Source.EXPORTED_SEEDS, SeedParams(3, "brand", "x")),
    (
        Source.HANDOVER_ACCOUNTS,
        HandoverParams(3, "brand", "x", True, ("bob@example.com",), "bob@example.com", True, True),
    ),
]


def _plan(source: Source | None, params: ItemParams) -> Plan:
    step = PlanStep(
        "step", "manual", "", "stop", False, items=(PlanItem("i", "l", params),), source=source
    )
    return Plan({"email": "ann@example.com"}, "unit", "digest", (step,))


def _stored(plan: Plan) -> dict[str, Any]:
    return plan.to_dict()


@pytest.mark.parametrize(("source", "params"), EXAMPLES)
def test_item_parameters_round_trip_through_the_stored_plan(
    source: Source, params: ItemParams
) -> None:
    loaded = Plan.from_dict(_stored(_plan(source, params)))
    assert loaded.steps[0].items[0].params == params


@pytest.mark.parametrize(("source", "params"), EXAMPLES)
def test_a_plan_stored_without_sources_types_its_items_by_their_keys(
    source: Source, params: ItemParams
) -> None:
    stored = _stored(_plan(source, params))
    del stored["steps"][0]["source"]  # plans stored before steps named their source
    assert Plan.from_dict(stored).steps[0].items[0].params == params


def test_a_handover_item_is_stored_in_the_json_shape_of_earlier_plans() -> None:
    stored = _stored(_plan(*EXAMPLES[-1]))
    assert stored["steps"][0]["items"][0]["params"] == {
        "account_id": 3,
        "account": "brand",
        "platform": "x",
        "owned": True,
        "other_admins": ["bob@example.com"],
        "inheritor": "bob@example.com",
        "inheritor_is_admin": True,
        "covered": True,
    }


def test_a_grant_item_is_stored_in_the_json_shape_of_earlier_plans() -> None:
    stored = _stored(_plan(*EXAMPLES[4]))
    assert stored["steps"][0]["items"][0]["params"] == {
        "grant_id": 12,
        "account_id": 3,
        "account": "brand",
        "platform": "x",
        "handle": "@brand",
        "role": "admin",
        "via": "platform-role",
    }
