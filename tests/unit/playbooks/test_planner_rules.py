"""Planner rules on a small in-memory inventory: handover, ``when`` conditions, ``for_each`` sources."""

from __future__ import annotations

import pytest

from accessguard.errors import ConflictError, InputError
from accessguard.playbooks.planner import build_plan
from accessguard.playbooks.sources import GrantParams, HandoverParams, Source, SubjectParams
from support.records import Inventory, playbook

LEAVER = "ann@example.com"

HANDOVER = playbook(
    "  - id: handover\n    action: handover-check\n    for_each: {source: handover_accounts}\n"
)


def _handover(inventory: Inventory, *, successor: str | None = None) -> HandoverParams:
    plan = build_plan(inventory.conn, HANDOVER, LEAVER, successor=successor)
    params = plan.step("handover").items[0].params
    assert isinstance(params, HandoverParams)
    return params


@pytest.fixture
def ann(inventory: Inventory) -> int:
    return inventory.person(LEAVER)


# Handover ---------------------------------------------------------------------------


def test_an_account_only_the_leaver_administers_is_refused(inventory: Inventory, ann: int) -> None:
    inventory.grant(ann, inventory.account("brand"), role="admin")
    with pytest.raises(ConflictError) as refused:
        build_plan(inventory.conn, HANDOVER, LEAVER)
    assert refused.value.code == "handover-guard"


def test_force_plans_an_orphaned_account_with_a_warning(inventory: Inventory, ann: int) -> None:
    inventory.grant(ann, inventory.account("brand"), role="admin")
    plan = build_plan(inventory.conn, HANDOVER, LEAVER, force=True)
    assert plan.warnings == ("brand (x) will have no active admin or owner (--force)",)


def test_another_active_admin_covers_the_account(inventory: Inventory, ann: int) -> None:
    brand = inventory.account("brand")
    inventory.grant(ann, brand, role="admin")
    inventory.grant(inventory.person("bob@example.com"), brand, role="Owner")
    assert _handover(inventory).other_admins == ("bob@example.com",)


def test_a_departed_admin_does_not_cover_the_account(inventory: Inventory, ann: int) -> None:
    brand = inventory.account("brand")
    inventory.grant(ann, brand, role="admin")
    inventory.grant(inventory.person("bob@example.com", status="departed"), brand, role="admin")
    with pytest.raises(ConflictError):
        build_plan(inventory.conn, HANDOVER, LEAVER)


def test_a_shared_login_admin_does_not_cover_the_account(inventory: Inventory, ann: int) -> None:
    brand = inventory.account("brand")
    inventory.grant(ann, brand, role="admin")
    inventory.grant(inventory.person("bob@example.com"), brand, role="admin", via="shared-login")
    with pytest.raises(ConflictError):
        build_plan(inventory.conn, HANDOVER, LEAVER)


def test_a_revoked_admin_grant_does_not_cover_the_account(inventory: Inventory, ann: int) -> None:
    brand = inventory.account("brand")
    inventory.grant(ann, brand, role="admin")
    inventory.grant(inventory.person("bob@example.com"), brand, role="admin", revoked=True)
    with pytest.raises(ConflictError):
        build_plan(inventory.conn, HANDOVER, LEAVER)


def test_the_successor_inherits_an_account_the_leaver_owns(inventory: Inventory, ann: int) -> None:
    inventory.account("brand", owner=ann)
    inventory.person("sue@example.com")
    assert _handover(inventory, successor="sue@example.com").inheritor == "sue@example.com"


def test_an_owned_account_is_marked_owned(inventory: Inventory, ann: int) -> None:
    inventory.account("brand", owner=ann)
    inventory.person("sue@example.com")
    assert _handover(inventory, successor="sue@example.com").owned is True


def test_without_successor_the_first_other_admin_inherits(inventory: Inventory, ann: int) -> None:
    brand = inventory.account("brand", owner=ann)
    inventory.grant(inventory.person("zed@example.com"), brand, role="admin")
    inventory.grant(inventory.person("bob@example.com"), brand, role="admin")
    assert _handover(inventory).inheritor == "bob@example.com"


def test_an_active_owner_keeps_an_account_the_leaver_administers(
    inventory: Inventory, ann: int
) -> None:
    brand = inventory.account("brand", owner=inventory.person("olga@example.com"))
    inventory.grant(ann, brand, role="admin")
    assert _handover(inventory).inheritor == "olga@example.com"


def test_a_departed_successor_is_refused(inventory: Inventory, ann: int) -> None:
    inventory.person("sue@example.com", status="departed")
    with pytest.raises(InputError):
        build_plan(inventory.conn, HANDOVER, LEAVER, successor="sue@example.com")


def test_an_account_without_admin_role_needs_no_handover(inventory: Inventory, ann: int) -> None:
    inventory.grant(ann, inventory.account("brand"), role="editor")
    plan = build_plan(inventory.conn, HANDOVER, LEAVER)
    assert plan.step("handover").skipped == "nothing to do"


# Conditions -------------------------------------------------------------------------

CONDITIONAL = playbook(
    "  - id: contractors-only\n"
    "    action: mark-leaving\n"
    "    when: {kind: [contractor]}\n"
    "  - id: with-successor\n"
    "    action: mark-departed\n"
    "    when: {successor: true}\n"
)


def test_a_when_that_does_not_hold_skips_the_step_and_says_why(
    inventory: Inventory, ann: int
) -> None:
    plan = build_plan(inventory.conn, CONDITIONAL, LEAVER)
    assert plan.step("contractors-only").skipped == "when kind is contractor (kind is employee)"


def test_a_when_that_holds_runs_the_step(inventory: Inventory) -> None:
    inventory.person(LEAVER, kind="contractor")
    plan = build_plan(inventory.conn, CONDITIONAL, LEAVER)
    assert plan.step("contractors-only").skipped is None


def test_a_successor_condition_follows_the_successor_option(inventory: Inventory, ann: int) -> None:
    plan = build_plan(inventory.conn, CONDITIONAL, LEAVER)
    assert plan.step("with-successor").skipped == "when successor is true"


def test_a_skipped_step_has_no_items(inventory: Inventory, ann: int) -> None:
    plan = build_plan(inventory.conn, CONDITIONAL, LEAVER)
    assert plan.step("contractors-only").items == ()


# for_each sources --------------------------------------------------------------------

GRANTS = playbook(
    "  - id: platform\n"
    "    action: revoke-access\n"
    "    for_each: {source: grants, via: [platform-role]}\n"
    "  - id: everything\n"
    "    action: end-grants\n"
    "    for_each: {source: grants}\n"
    "  - id: on-me\n"
    "    action: manual\n"
    "    for_each: {source: grants, platform: [meta-business]}\n"
    "    args: {title: t, instructions: i}\n"
    "  - id: subject\n"
    "    action: mark-leaving\n"
)


@pytest.fixture
def grants(inventory: Inventory, ann: int) -> dict[str, int]:
    x, meta = (
        inventory.account("brand-x"),
        inventory.account("brand-meta", platform="meta-business"),
    )
    return {
        "brand-x": x,
        "x": inventory.grant(ann, x, role="editor"),
        "meta": inventory.grant(ann, meta, role="member", via="shared-login"),
        "gone": inventory.grant(ann, x, role="analyst", revoked=True),
    }


def test_a_via_filter_keeps_matching_grants(inventory: Inventory, grants: dict[str, int]) -> None:
    plan = build_plan(inventory.conn, GRANTS, LEAVER)
    assert [i.id for i in plan.step("platform").items] == [f"grant-{grants['x']}"]


def test_grants_without_filter_are_every_active_grant(
    inventory: Inventory, grants: dict[str, int]
) -> None:
    plan = build_plan(inventory.conn, GRANTS, LEAVER)
    ids = {i.id for i in plan.step("everything").items}
    assert ids == {f"grant-{grants['x']}", f"grant-{grants['meta']}"}


def test_a_platform_filter_keeps_that_platform(
    inventory: Inventory, grants: dict[str, int]
) -> None:
    plan = build_plan(inventory.conn, GRANTS, LEAVER)
    assert [i.id for i in plan.step("on-me").items] == [f"grant-{grants['meta']}"]


def test_a_grant_item_carries_typed_parameters(
    inventory: Inventory, grants: dict[str, int]
) -> None:
    plan = build_plan(inventory.conn, GRANTS, LEAVER)
    params = plan.step("platform").items[0].params
    assert params == GrantParams(
        grant_id=grants["x"],
        account_id=grants["brand-x"],
        account="brand-x",
        platform="x",
        handle="@brand-x",
        role="editor",
        via="platform-role",
    )


def test_a_step_without_for_each_has_one_item_for_the_subject(
    inventory: Inventory, grants: dict[str, int]
) -> None:
    plan = build_plan(inventory.conn, GRANTS, LEAVER)
    assert plan.step("subject").items[0].params == SubjectParams(LEAVER)


def test_each_step_names_its_source(inventory: Inventory, grants: dict[str, int]) -> None:
    plan = build_plan(inventory.conn, GRANTS, LEAVER)
    assert [s.source for s in plan.steps] == [Source.GRANTS] * 3 + [Source.SUBJECT]
