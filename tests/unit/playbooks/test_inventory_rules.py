"""The inventory rules the engine relies on: who is due to leave, and moving an account's ownership."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from accessguard.clock import FixedClock
from accessguard.db import tables
from accessguard.inventory.accounts import set_owner
from accessguard.inventory.admin import get_account, uncovered_accounts
from accessguard.inventory.leavers import due_leavers
from accessguard.inventory.records import get_person_record
from support.records import NOW, Inventory

TODAY = date(2026, 11, 2)


def test_a_person_past_their_end_date_is_due(inventory: Inventory) -> None:
    inventory.person("ann@example.com", status="leaving", end_date=date(2026, 11, 1))
    assert due_leavers(inventory.conn, TODAY) == ["ann@example.com"]


def test_a_person_leaving_today_is_not_yet_due(inventory: Inventory) -> None:
    inventory.person("ann@example.com", end_date=TODAY)
    assert due_leavers(inventory.conn, TODAY) == []


def test_a_departed_person_without_grants_is_not_due(inventory: Inventory) -> None:
    inventory.person("ann@example.com", status="departed", end_date=date(2026, 10, 1))
    assert due_leavers(inventory.conn, TODAY) == []


def test_a_departed_person_still_holding_a_grant_is_due(inventory: Inventory) -> None:
    ann = inventory.person("ann@example.com", status="departed", end_date=date(2026, 10, 1))
    inventory.grant(ann, inventory.account("brand"))
    assert due_leavers(inventory.conn, TODAY) == ["ann@example.com"]


def test_the_longest_overdue_come_first(inventory: Inventory) -> None:
    inventory.person("zed@example.com", end_date=date(2026, 9, 1))
    inventory.person("bob@example.com", end_date=date(2026, 10, 1))
    inventory.person("amy@example.com", end_date=date(2026, 10, 1))
    assert due_leavers(inventory.conn, TODAY) == [
        "zed@example.com",
        "amy@example.com",
        "bob@example.com",
    ]


def _transfer(inventory: Inventory) -> bool:
    ann = inventory.person("ann@example.com")
    inventory.person("sue@example.com")
    account = get_account(inventory.conn, inventory.account("brand", owner=ann))
    assert account is not None
    heir = get_person_record(inventory.conn, "sue@example.com")
    return set_owner(inventory.conn, FixedClock(NOW), "tester", account, heir, run_id="run-1")


def test_transfer_makes_the_heir_the_owner(inventory: Inventory) -> None:
    _transfer(inventory)
    owner = inventory.conn.scalar(select(tables.accounts.c.owner_id))
    assert owner == get_person_record(inventory.conn, "sue@example.com").id


def test_transfer_is_audited_with_the_owner_before_and_after(inventory: Inventory) -> None:
    _transfer(inventory)
    details = inventory.conn.scalar(select(tables.audit_events.c.details))
    assert details == {"changes": {"owner": ["ann@example.com", "sue@example.com"]}}


def test_transfer_to_the_current_owner_changes_nothing(inventory: Inventory) -> None:
    ann = inventory.person("ann@example.com")
    account = get_account(inventory.conn, inventory.account("brand", owner=ann))
    assert account is not None
    heir = get_person_record(inventory.conn, "ann@example.com")
    assert set_owner(inventory.conn, FixedClock(NOW), "tester", account, heir) is False


def _uncovered(inventory: Inventory, *, other: dict[str, str] | None = None) -> list[str]:
    """Remove ann's admin grant on brand; ``other``: bob's grant on it (grant keywords)."""
    ann, bob = inventory.person("ann@example.com"), inventory.person("bob@example.com")
    brand = inventory.account("brand")
    removed = inventory.grant(ann, brand, role="admin")
    if other is not None:
        inventory.grant(bob, brand, **other)
    return uncovered_accounts(inventory.conn, {removed})


def test_removing_the_only_admin_leaves_the_account_uncovered(inventory: Inventory) -> None:
    assert _uncovered(inventory) == ["brand (x)"]


def test_another_admin_covers_the_account(inventory: Inventory) -> None:
    assert _uncovered(inventory, other={"role": "owner"}) == []


def test_a_shared_login_admin_does_not_cover_it(inventory: Inventory) -> None:
    assert _uncovered(inventory, other={"role": "admin", "via": "shared-login"}) == ["brand (x)"]


def test_a_non_admin_role_does_not_cover_it(inventory: Inventory) -> None:
    assert _uncovered(inventory, other={"role": "editor"}) == ["brand (x)"]


def test_a_departed_admin_does_not_cover_it(inventory: Inventory) -> None:
    ann, bob = inventory.person("ann@example.com"), inventory.person("bob@x.com", status="departed")
    brand = inventory.account("brand")
    removed = inventory.grant(ann, brand, role="admin")
    inventory.grant(bob, brand, role="admin")
    assert uncovered_accounts(inventory.conn, {removed}) == ["brand (x)"]


def test_an_active_owner_covers_the_account(inventory: Inventory) -> None:
    ann, olga = inventory.person("ann@example.com"), inventory.person("olga@example.com")
    removed = inventory.grant(ann, inventory.account("brand", owner=olga), role="admin")
    assert uncovered_accounts(inventory.conn, {removed}) == []


def test_the_leaver_as_owner_does_not_cover_the_account(inventory: Inventory) -> None:
    ann = inventory.person("ann@example.com")
    removed = inventory.grant(ann, inventory.account("brand", owner=ann), role="admin")
    assert uncovered_accounts(inventory.conn, {removed}, leaving=ann) == ["brand (x)"]


def test_removing_a_non_admin_grant_leaves_every_account_covered(inventory: Inventory) -> None:
    ann = inventory.person("ann@example.com")
    removed = inventory.grant(ann, inventory.account("brand"), role="editor")
    assert uncovered_accounts(inventory.conn, {removed}) == []
