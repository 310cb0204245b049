"""The runner tells its injected hooks each phase of a run, and reads nothing from the environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from accessguard.app import App
from accessguard.clock import FixedClock
from accessguard.config import load_settings
from accessguard.db.migrate import upgrade
from accessguard.inventory.records import get_person_record
from accessguard.playbooks.hooks import Phase, RunHooks
from accessguard.playbooks.planner import build_plan
from accessguard.playbooks.runner import run_plan
from accessguard.playbooks.status import RunStatus
from support.records import NOW, Inventory, playbook

BOOK = playbook(
    "  - id: leaving\n    action: mark-leaving\n"
    "  - id: check\n    action: manual\n    args: {title: t, instructions: i}\n"
)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    app = App(
        settings=load_settings(overrides={"database.url": f"sqlite:///{tmp_path / 'run.db'}"}),
        clock=FixedClock(NOW),
    )
    upgrade(app.engine)
    with app.begin() as conn:
        Inventory(conn).person("ann@example.com")
    yield app
    app.engine.dispose()


def _run(app: App, hooks: RunHooks | None = None) -> RunStatus:
    with app.begin() as conn:
        plan = build_plan(conn, BOOK, "ann@example.com")
    return run_plan(app, plan, concurrency=1, hooks=hooks).status


def test_the_phase_hook_sees_every_phase_in_order(app: App) -> None:
    seen: list[tuple[str, str, Phase]] = []
    _run(app, RunHooks(on_phase=lambda step, item, phase: seen.append((step, item, phase))))
    assert seen == [
        ("leaving", "", Phase.START),
        ("leaving", "subject", Phase.BEFORE),
        ("leaving", "subject", Phase.ACT),
        ("leaving", "subject", Phase.INSIDE),
        ("leaving", "subject", Phase.AFTER),
        ("leaving", "subject", Phase.RECORDED),
        ("leaving", "", Phase.END),
        ("check", "", Phase.START),
        ("check", "subject", Phase.BEFORE),
        ("check", "subject", Phase.ACT),
        ("check", "subject", Phase.AFTER),
        ("check", "subject", Phase.RECORDED),
        ("check", "", Phase.END),
    ]


def test_a_run_without_hooks_runs_to_its_end(app: App) -> None:
    assert _run(app) is RunStatus.WAITING


def test_hooks_that_do_nothing_leave_the_run_as_it_was(app: App) -> None:
    _run(app, RunHooks())
    with app.begin() as conn:
        assert get_person_record(conn, "ann@example.com").status == "leaving"


def test_test_switches_in_the_environment_change_nothing(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Were they read, this would SIGKILL the test process, or wait ten minutes.
    monkeypatch.setenv("ACCESSGUARD_TEST_CRASH_AT", "leaving:subject:before")
    monkeypatch.setenv("ACCESSGUARD_TEST_ITEM_DELAY", "leaving:600")
    assert _run(app) is RunStatus.WAITING


def test_no_product_module_reads_a_test_switch() -> None:
    source = Path(__file__).resolve().parents[3] / "src" / "accessguard"
    readers = [p.name for p in source.rglob("*.py") if "ACCESSGUARD_TEST" in p.read_text()]
    assert readers == []
