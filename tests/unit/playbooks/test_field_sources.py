"""The ``exposed_fields`` source: one item per field the leaver saw and nobody renewed since."""

from __future__ import annotations

from sqlalchemy import insert

from accessguard.db import tables
from accessguard.playbooks.planner import build_plan
from accessguard.playbooks.sources import FieldParams, Source, params_from_dict
from support.records import NOW, Inventory, playbook

LEAVER = "ann@example.com"

FIELDS = playbook(
    "  - id: renew\n"
    "    action: renew-field\n"
    "    for_each: exposed_fields\n"
    "  - id: codes-only\n"
    "    action: renew-field\n"
    "    for_each: {source: exposed_fields, field: [backup_codes]}\n"
)


def _seen(inventory: Inventory, *, field: str, version: int = 1) -> int:
    ann = inventory.person(LEAVER)
    account = inventory.account("brand-x")
    credential = inventory.conn.execute(
        insert(tables.credentials).values(
            account_id=account, vault_path="p", current_version=2, state="active", created_at=NOW
        )
    ).inserted_primary_key[0]
    inventory.conn.execute(
        insert(tables.exposures).values(
            person_id=ann, credential_id=credential, kind="reveal", field=field,
            version=version, occurred_at=NOW,
        )
    )  # fmt: skip
    return int(credential)


def test_each_field_seen_is_an_item_with_typed_parameters(inventory: Inventory) -> None:
    credential = _seen(inventory, field="all")
    plan = build_plan(inventory.conn, FIELDS, LEAVER)
    items = plan.step("renew").items
    assert [i.id for i in items] == [
        f"credential-{credential}-backup_codes",
        f"credential-{credential}-recovery",
    ]
    params = items[0].params
    assert isinstance(params, FieldParams)
    assert (params.credential_id, params.account, params.platform) == (credential, "brand-x", "x")
    assert (params.field, params.version) == ("backup_codes", 1)


def test_a_field_filter_keeps_that_field(inventory: Inventory) -> None:
    credential = _seen(inventory, field="all")
    plan = build_plan(inventory.conn, FIELDS, LEAVER)
    assert [i.id for i in plan.step("codes-only").items] == [
        f"credential-{credential}-backup_codes"
    ]


def test_a_password_reveal_plans_no_field_renewal(inventory: Inventory) -> None:
    _seen(inventory, field="password")
    plan = build_plan(inventory.conn, FIELDS, LEAVER)
    assert plan.step("renew").skipped == "nothing to do"


def test_stored_field_parameters_read_back_as_their_source(inventory: Inventory) -> None:
    _seen(inventory, field="recovery")
    item = build_plan(inventory.conn, FIELDS, LEAVER).step("renew").items[0]
    stored = item.params.to_dict()
    assert params_from_dict(None, stored) == item.params
    assert params_from_dict(Source.EXPOSED_FIELDS, stored) == item.params
