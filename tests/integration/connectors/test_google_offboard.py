"""`accessguard offboard` and the connector commands through the CLI, for Google Ads and Merchant Center.

Real OpenBao holds the connectors' secrets (OAuth token, Google Ads developer token);
the platforms are the documented-shape fakes. The removals are read back on the fakes'
state, and the run records them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from accessguard.app import App
from accessguard.inventory.accounts import AccountInput, add_account
from accessguard.inventory.grants import add_grant
from accessguard.inventory.people import PersonInput, add_person
from support.egress import admin_allows
from support.fake_google_ads import GoogleAdsFake
from support.fake_merchant import MerchantFake
from support.offboarding import invoke, invoke_json
from support.vault import admin_vault, rebootstrap, sqlite_vault_app

LEAVER = "ann@example.com"
STAYS = "bob@example.com"


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    """An SQLite App wired to the session's OpenBao under a fresh prefix."""
    yield from sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch)


def _seed(app: App, openbao: Any, ads: GoogleAdsFake, shop: MerchantFake) -> None:
    admin_allows(ads.url, shop.url, app=app)
    clock = app.clock
    with app.begin() as s:
        add_person(s, clock, "setup", PersonInput(LEAVER, "Ann Leaver", department="Brand"))
        add_person(s, clock, "setup", PersonInput(STAYS, "Bob Admin", department="Brand"))
        add_account(
            s,
            clock,
            "setup",
            AccountInput("brand-ads", "google-ads", "nw", settings=ads.settings()),
        )
        add_account(
            s,
            clock,
            "setup",
            AccountInput("brand-shop", "google-merchant-center", "nw", settings=shop.settings()),
        )
        for account in ("brand-ads", "brand-shop"):
            for email in (LEAVER, STAYS):
                add_grant(
                    s, clock, "setup", person_email=email, account_ref=account, role="admin",
                    via="platform-role",
                )  # fmt: skip
    rebootstrap(app, openbao)
    vault = admin_vault(app, openbao)
    root = f"{vault.paths.prefix}/connectors/accounts"
    vault.kv.write(f"{root}/brand-ads", dict(ads.secrets()), cas=0)
    vault.kv.write(f"{root}/brand-shop", {"token": shop.token}, cas=0)


def test_offboard_removes_the_leaver_on_both_platforms(vapp: App, openbao: Any) -> None:
    with GoogleAdsFake() as ads, MerchantFake() as shop:
        ads.add_user(LEAVER, "ADMIN")
        ads.add_user(STAYS, "ADMIN")
        ads.add_invitation(LEAVER, "STANDARD")  # a second, pending invitation
        shop.add_user(LEAVER, ("ADMIN",))
        shop.add_user(STAYS, ("ADMIN",))
        _seed(vapp, openbao, ads, shop)

        code, out = invoke_json(vapp, "offboard", LEAVER, "--yes")

        assert code in (0, 5), out  # 5: manual steps of the playbook wait
        assert (ads.emails(), ads.invited(), shop.emails()) == ({STAYS}, set(), {STAYS})
    steps = {s["id"]: s for s in out["run"]["steps"]}
    statuses = {i["status"] for i in steps["revoke-platform-access"]["items"]}
    assert statuses == {"changed"}
    for secret in (ads.token, ads.developer_token, shop.token):
        assert secret not in str(out)
    _, held = invoke_json(vapp, "holdings", LEAVER, "--history")
    assert {(g["account"], g["state"]) for g in held["grants"]} == {
        ("brand-ads", "ended"),
        ("brand-shop", "ended"),
    }


def test_google_refusing_the_last_admin_fails_the_item_clearly(vapp: App, openbao: Any) -> None:
    """The inventory counts Bob as an admin, but on Google Ads he is not: Google refuses."""
    with GoogleAdsFake() as ads, MerchantFake() as shop:
        ads.add_user(LEAVER, "ADMIN")
        ads.add_user(STAYS, "STANDARD")
        shop.add_user(LEAVER, ("ADMIN",))
        shop.add_user(STAYS, ("ADMIN",))
        _seed(vapp, openbao, ads, shop)

        code, out = invoke_json(vapp, "offboard", LEAVER, "--yes")

        assert code == 4, out  # partial failure
        assert (ads.emails(), shop.emails()) == ({LEAVER, STAYS}, {STAYS})
    steps = {s["id"]: s for s in out["run"]["steps"]}
    (failed,) = [i for i in steps["revoke-platform-access"]["items"] if i["status"] == "failed"]
    assert "brand-ads" in failed["message"]
    assert "will not remove the last admin" in failed["message"]
    _, held = invoke_json(vapp, "holdings", LEAVER)
    assert [g["state"] for g in held["grants"] if g["account"] == "brand-ads"] == ["revoke-pending"]


def test_an_admin_sets_up_a_google_ads_account_from_the_cli(vapp: App) -> None:
    """Bad settings are refused naming the setting; check lists both secrets until stored."""
    with GoogleAdsFake() as ads:
        admin_allows(ads.url, app=vapp)
        add = ("accounts", "add", "brand-ads", "--platform", "google-ads", "--handle", "nw")
        bad = invoke(
            vapp, *add, "--setting", "customer_id=12345", "--setting", f"base_url={ads.url}"
        )
        assert bad.exit_code == 2, bad.stdout
        assert "customer_id" in bad.stderr
        assert bad.stderr.startswith("error:")
        assert invoke_json(vapp, "accounts", "list")[1] == []
        good = invoke(
            vapp, *add, "--setting", "customer_id=123-456-7890", "--setting", f"base_url={ads.url}"
        )
        assert good.exit_code == 0, good.stderr

        _, before = invoke_json(vapp, "connectors", "check", "brand-ads")
        assert before["outcome"] == "missing"
        assert sum("secret" in line for line in before["missing"]) == 2
        for field, value in (("token", ads.token), ("developer_token", ads.developer_token)):
            stored = invoke(
                vapp, "connectors", "secret", "set", "brand-ads", field, input=value + "\n"
            )
            assert stored.exit_code == 0, stored.stderr
            assert value not in stored.output
        code, after = invoke_json(vapp, "connectors", "check", "brand-ads")
    assert code == 0, after
    assert "Northwind Ads" in str(after)
