"""The engine's guards on small inventories: handover for any plan, step-up through a callback."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from accessguard.app import App
from accessguard.audit.chain import find_events
from accessguard.clock import FixedClock
from accessguard.config import load_settings
from accessguard.errors import ConfigError, ConflictError, UsageError
from accessguard.inventory.accounts import AccountInput, add_account
from accessguard.inventory.grants import add_grant
from accessguard.inventory.people import PersonInput, add_person
from accessguard.playbooks.builtin import builtin_plan, builtin_step, grant_items
from accessguard.playbooks.guards import check_handover, orphaned_accounts, require_step_up
from accessguard.playbooks.plan import Plan
from accessguard.playbooks.stepup import Operator, StepUp


@pytest.fixture
def app(sqlite_url: str, clock: FixedClock) -> Iterator[App]:
    """Ann and Bob administer brand-a; Cat owns brand-b, where Ann is the only admin."""
    application = App(settings=load_settings(overrides={"database.url": sqlite_url}), clock=clock)
    with application.begin() as s:
        for email in ("ann@example.com", "bob@example.com", "cat@example.com"):
            add_person(s, clock, "t", PersonInput(email, email.split("@")[0].title()))
        add_account(s, clock, "t", AccountInput("brand-a", "facebook", "a"))
        add_account(s, clock, "t", AccountInput("brand-b", "x", "b", owner_email="cat@example.com"))
        for email, account, role, via in [
            ("ann@example.com", "brand-a", "admin", "platform-role"),
            ("bob@example.com", "brand-a", "admin", "platform-role"),
            ("ann@example.com", "brand-b", "admin", "platform-role"),
            ("bob@example.com", "brand-b", "login", "shared-login"),
        ]:
            add_grant(s, clock, "t", person_email=email, account_ref=account, role=role, via=via)
    yield application
    application.engine.dispose()


def _removing(app: App, grant_ids: list[int], *, force: bool = False) -> Plan:
    with app.begin() as conn:
        items = grant_items(conn, grant_ids)
    subject = {"email": "review-campaign-1", "name": "a review", "kind": "review-campaign"}
    step = builtin_step("end-grants", "end-grants", items, args={"reason": "test"})
    return builtin_plan("review-close", subject, [step], force=force)


def test_removing_both_admins_orphans_the_account(app: App) -> None:
    plan = _removing(app, [1, 2])
    with app.begin() as conn:
        assert orphaned_accounts(conn, plan) == ["brand-a (facebook)"]


def test_an_admin_left_covers_the_account(app: App) -> None:
    plan = _removing(app, [1])
    with app.begin() as conn:
        assert orphaned_accounts(conn, plan) == []


def test_an_active_owner_covers_the_account(app: App) -> None:
    plan = _removing(app, [3])
    with app.begin() as conn:
        assert orphaned_accounts(conn, plan) == []


def test_a_shared_login_is_not_an_admin(app: App) -> None:
    plan = _removing(app, [4])
    with app.begin() as conn:
        assert orphaned_accounts(conn, plan) == []


def test_the_guard_refuses_unless_forced(app: App) -> None:
    plan, forced = _removing(app, [1, 2]), _removing(app, [1, 2], force=True)
    with app.begin() as conn, pytest.raises(ConflictError) as refused:
        check_handover(conn, plan)
    assert refused.value.code == "handover-guard"
    with app.begin() as conn:
        check_handover(conn, forced)


def _with_step_up(app: App, on: bool) -> App:
    """``app`` with step-up switched as the config file would (only it may)."""
    offboarding = dataclasses.replace(app.settings.offboarding, step_up=on)
    return App(settings=dataclasses.replace(app.settings, offboarding=offboarding), clock=app.clock)


def _never(why: str) -> str:
    raise AssertionError(f"asked for {why}")


def _step_up_events(app: App) -> list[str]:
    with app.begin() as conn:
        return [e.action for e in find_events(conn) if e.action.startswith("stepup.")]


def test_step_up_passed_once_is_not_asked_again(app: App) -> None:
    """A command that starts several runs (``leavers run``) asks once: codes are single-use."""
    step_up = StepUp(_never)
    step_up.passed = Operator("token-alice", None, service=False)
    require_step_up(_with_step_up(app, True), _removing(app, [1]), step_up)


def test_step_up_without_a_callback_refuses(app: App) -> None:
    with pytest.raises(UsageError) as refused:
        require_step_up(_with_step_up(app, True), _removing(app, [1]), None)
    assert refused.value.code == "step-up-required"


def test_step_up_off_or_nothing_destructive_asks_nobody(app: App) -> None:
    require_step_up(_with_step_up(app, False), _removing(app, [1]), StepUp(_never))
    require_step_up(_with_step_up(app, True), _removing(app, []), StepUp(_never))


def test_step_up_off_by_config_is_audited_for_each_destructive_run(app: App) -> None:
    off = _with_step_up(app, False)
    require_step_up(off, _removing(app, [1]), None)
    require_step_up(off, _removing(app, [1]), None)
    require_step_up(off, _removing(app, []), None)  # nothing destructive: nothing to record
    assert _step_up_events(app) == ["stepup.off-by-config"] * 2


@pytest.mark.parametrize("value", ["true", "false"])
def test_the_environment_cannot_switch_step_up(value: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={"ACCESSGUARD_OFFBOARDING_STEP_UP": value})
    assert refused.value.code == "config-file-only"


def test_an_override_cannot_switch_step_up() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={}, overrides={"offboarding.step_up": False})
    assert refused.value.code == "config-file-only"


def test_the_config_file_switches_step_up(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[offboarding]\nstep_up = true\n", encoding="utf-8")
    assert load_settings(path, environ={}).offboarding.step_up is True
