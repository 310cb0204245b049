"""The pure comparison of a platform listing with the inventory's active grants."""

from __future__ import annotations

from typing import Any

from accessguard.connectors.base import Holder
from accessguard.reconcile.compare import compare
from accessguard.reconcile.records import GrantHolder


def seat(email: str, *, via: str = "suite-seat", grant_id: int = 1) -> GrantHolder:
    return GrantHolder(grant_id, "editor", via, grant_id, email, email.split("@")[0])


def drift(
    holders: list[Holder], grants: list[GrantHolder], **settings: Any
) -> set[tuple[str, str | None]]:
    return {(d["kind"], d["email"]) for d in compare(settings, holders, grants=grants)}


def test_holder_and_grant_that_match_are_no_drift() -> None:
    assert drift([Holder("1", email="ann@example.com")], [seat("ann@example.com")]) == set()


def test_holder_without_a_grant_is_unmanaged() -> None:
    assert drift([Holder("9", email="carol@example.com")], []) == {
        ("unmanaged", "carol@example.com")
    }


def test_grant_without_a_holder_is_missing() -> None:
    assert drift([], [seat("bob@example.com")]) == {("missing", "bob@example.com")}


def test_missing_drift_names_the_grant() -> None:
    [item] = compare({}, [], grants=[seat("bob@example.com", grant_id=42)])
    assert item["grant_id"] == 42


def test_inactive_holder_holds_nothing() -> None:
    assert drift([Holder("9", email="erin@example.com", active=False)], []) == set()


def test_shared_logins_are_not_compared() -> None:
    assert drift([], [seat("dave@example.com", via="shared-login")]) == set()


def test_identities_map_an_email_to_a_platform_name() -> None:
    holders = [Holder("a.smith", name="a.smith")]
    mapping = {"ann@example.com": "a.smith"}
    assert drift(holders, [seat("ann@example.com")], identities=mapping) == set()


def test_ignored_holders_are_skipped() -> None:
    holders = [Holder("svc", email="api@vendor.test")]
    assert drift(holders, [], reconcile_ignore=["API@vendor.test"]) == set()


def test_matching_ignores_case() -> None:
    assert drift([Holder("1", email="Ann@Example.com")], [seat("ann@example.com")]) == set()
