"""What the engine records when a platform revoke does not go as planned (issue 18).

A removal the platform's read-back still shows is a failed item, never ``changed``: the
grant stays revoke-pending and a resume reads it back again. A connector error keeps its
hint in the item's result, where `runs show` and the offboarding summary print it.
Real OpenBao holds the connectors' secrets; Meta is the documented-shape fake, and a
small connector whose platform ignores removals stands for any connector that reads back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from accessguard.app import App
from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import find_events
from accessguard.connectors.base import Connector, Holder, Target
from accessguard.connectors.registry import BUILTINS
from accessguard.errors import PermanentConnectorError
from accessguard.inventory.accounts import AccountInput, add_account
from accessguard.inventory.grants import add_grant
from accessguard.inventory.people import PersonInput, add_person
from accessguard.results import ActionResult
from accessguard.secret import Secret
from support.egress import admin_allows
from support.fake_meta import MetaFake
from support.offboarding import invoke, invoke_json
from support.vault import admin_vault, rebootstrap, sqlite_vault_app

LEAVER = "ann@example.com"
STAYS = "bob@example.com"
NOT_CONFIRMED = "removal not confirmed by read-back"


class StubbornConnector(Connector):
    """A platform that answers every removal with success and keeps the holder.

    Its state is the class's ``holders`` (email -> role), shared by every instance the
    engine builds; ``sticky`` false makes removals take.
    """

    name: ClassVar[str] = "stubborn"
    holders: ClassVar[dict[str, str]] = {}
    sticky: ClassVar[bool] = True
    #: a hint the platform's refusal carries (a hostile one echoes a secret)
    refusal_hint: ClassVar[str | None] = None

    def list_holders(self) -> list[Holder]:
        return [Holder(platform_id=e, email=e, role=r) for e, r in self.holders.items()]

    def revoke(self, target: Target) -> ActionResult:
        if self.refusal_hint is not None:
            raise PermanentConnectorError("the platform refused", hint=self.refusal_hint)
        if target.email not in self.holders:
            return ActionResult.unchanged(f"{target.email} holds nothing")
        if not self.sticky:
            del self.holders[target.email]
        left = [h for h in self.list_holders() if h.email == target.email]
        return ActionResult.changed(
            "removed membership", removed=["membership"], confirmed=not left
        )

    def check(self) -> ActionResult:
        return ActionResult.unchanged("answers")


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    """An SQLite App wired to the session's OpenBao under a fresh prefix."""
    yield from sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch)


@pytest.fixture
def stubborn(monkeypatch: pytest.MonkeyPatch) -> type[StubbornConnector]:
    """The stubborn connector, registered under its name for this test."""
    monkeypatch.setitem(BUILTINS, "stubborn", f"{__name__}:StubbornConnector")
    monkeypatch.setattr(StubbornConnector, "holders", {LEAVER: "admin", STAYS: "admin"})
    monkeypatch.setattr(StubbornConnector, "sticky", True)
    monkeypatch.setattr(StubbornConnector, "refusal_hint", None)
    return StubbornConnector


def _seed(app: App, account: AccountInput) -> None:
    with app.begin() as s:
        add_person(s, app.clock, "setup", PersonInput(LEAVER, "Ann Leaver", department="Brand"))
        add_person(s, app.clock, "setup", PersonInput(STAYS, "Bob Admin", department="Brand"))
        add_account(s, app.clock, "setup", account)
        for email in (LEAVER, STAYS):
            add_grant(
                s, app.clock, "setup", person_email=email, account_ref=account.name,
                role="admin", via="platform-role",
            )  # fmt: skip


def _meta_account(app: App, openbao: Any, meta: MetaFake, *, token: bool) -> None:
    admin_allows(meta.url, app=app)
    _seed(app, AccountInput("brand-fb", "facebook", "nw.fb", settings=meta.settings()))
    meta.add_user(LEAVER, "Ann Leaver", page_tasks=["MANAGE"])
    meta.add_user(STAYS, "Bob Admin", role="ADMIN", page_tasks=["MANAGE"])
    rebootstrap(app, openbao)
    if token:
        vault = admin_vault(app, openbao)
        root = f"{vault.paths.prefix}/connectors/accounts"
        vault.kv.write(f"{root}/brand-fb", {"token": meta.token}, cas=0)


def _platform_item(summary: dict[str, Any]) -> dict[str, Any]:
    steps = {s["id"]: s for s in summary["steps"]}
    (item,) = steps["revoke-platform-access"]["items"]
    return dict(item)


def _grant_state(app: App, account: str) -> list[str]:
    _, held = invoke_json(app, "holdings", LEAVER)
    return [g["state"] for g in held["grants"] if g["account"] == account]


def test_meta_still_listing_the_leaver_fails_the_item(vapp: App, openbao: Any) -> None:
    """Meta answers every DELETE with success and changes nothing: the run does not say removed."""
    with MetaFake() as meta:
        _meta_account(vapp, openbao, meta, token=True)
        meta.deletes_ignored = True

        code, out = invoke_json(vapp, "offboard", LEAVER, "--yes")

        assert code == 4, out  # partial failure
        assert LEAVER in meta.business_emails() | meta.page_emails()
    item = _platform_item(out["run"])
    assert item["status"] == "failed"
    assert NOT_CONFIRMED in item["message"]
    assert item["details"]["code"] == "removal-not-confirmed"
    assert item["details"]["confirmed"] is False
    assert _grant_state(vapp, "brand-fb") == ["revoke-pending"]
    with vapp.begin() as conn:  # what was sent is still audited, as not confirmed
        (event,) = find_events(conn, action=AuditAction.PLATFORM_REVOKE, run_id=out["run"]["id"])
    assert (event.target, event.details["confirmed"]) == ("brand-fb", False)


def test_an_unconfirmed_removal_is_read_back_again_on_resume(
    vapp: App, openbao: Any, stubborn: type[StubbornConnector]
) -> None:
    _seed(vapp, AccountInput("brand-s", "other", "nw", connector="stubborn"))
    rebootstrap(vapp, openbao)

    code, out = invoke_json(vapp, "offboard", LEAVER, "--yes")

    assert code == 4, out
    item = _platform_item(out["run"])
    assert (item["status"], item["details"]["removed"]) == ("failed", ["membership"])
    assert f"brand-s: {NOT_CONFIRMED} (removed membership)" == item["message"]
    assert f"accessguard runs resume {out['run']['id']}" in item["details"]["hint"]
    assert _grant_state(vapp, "brand-s") == ["revoke-pending"]

    stubborn.sticky = False  # the platform now applies the removal
    code, resumed = invoke_json(vapp, "runs", "resume", out["run"]["id"])

    assert code in (0, 5), resumed
    assert stubborn.holders == {STAYS: "admin"}
    assert _platform_item(resumed["run"])["status"] == "changed"
    _, history = invoke_json(vapp, "holdings", LEAVER, "--history")
    assert [g["state"] for g in history["grants"] if g["account"] == "brand-s"] == ["ended"]


def test_a_confirmed_removal_is_changed(
    vapp: App, openbao: Any, stubborn: type[StubbornConnector]
) -> None:
    stubborn.sticky = False
    _seed(vapp, AccountInput("brand-s", "other", "nw", connector="stubborn"))
    rebootstrap(vapp, openbao)

    code, out = invoke_json(vapp, "offboard", LEAVER, "--yes")

    assert code in (0, 5), out
    assert _platform_item(out["run"])["status"] == "changed"
    assert LEAVER not in stubborn.holders


def test_a_failed_revoke_keeps_the_connector_hint(vapp: App, openbao: Any) -> None:
    """No token stored for the account: the item says where to store it, not only that it is missing."""
    with MetaFake() as meta:
        _meta_account(vapp, openbao, meta, token=False)

        code, out = invoke_json(vapp, "offboard", LEAVER, "--yes")

        assert code == 4, out
        assert LEAVER in meta.business_emails()
    run_id = out["run"]["id"]
    item = _platform_item(out["run"])
    assert item["status"] == "failed"
    assert "no 'token' secret" in item["message"]
    assert "connectors/accounts/brand-fb" in item["details"]["hint"]
    shown = invoke(vapp, "runs", "show", run_id)
    assert shown.exit_code == 0, shown.stderr
    assert "      hint: store it in Vault" in shown.stdout
    assert "`accessguard connectors secret set brand-fb token`" in shown.stdout  # the way to do it
    assert "no longer read" not in shown.stdout  # no upgrade note for a fresh install
    _, again = invoke_json(vapp, "runs", "show", run_id)
    assert _platform_item(again)["details"]["hint"] == item["details"]["hint"]


def test_the_offboard_summary_prints_the_hint(vapp: App, openbao: Any) -> None:
    with MetaFake() as meta:
        _meta_account(vapp, openbao, meta, token=False)

        result = invoke(vapp, "offboard", LEAVER, "--yes")

    assert result.exit_code == 4, result.stderr
    failed = result.stdout.index("FAILED  revoke-platform-access")
    assert result.stdout.index("hint: store it in Vault", failed) > failed


def test_a_hint_echoing_a_secret_is_stored_and_shown_masked(
    vapp: App, openbao: Any, stubborn: type[StubbornConnector]
) -> None:
    """A hostile platform's refusal repeats a secret in its hint: no stored or shown copy has it."""
    secret = Secret("pl4tform-s3cret-value-9")
    stubborn.refusal_hint = f"retry with {secret.reveal()} as the key"
    _seed(vapp, AccountInput("brand-s", "other", "nw", connector="stubborn"))
    rebootstrap(vapp, openbao)

    code, out = invoke_json(vapp, "offboard", LEAVER, "--yes")

    assert code == 4, out
    item = _platform_item(out["run"])
    assert item["details"]["hint"].startswith("retry with ")
    assert secret.reveal() not in str(out)
    shown = invoke(vapp, "runs", "show", out["run"]["id"])
    assert "      hint: retry with " in shown.stdout
    assert secret.reveal() not in shown.stdout
