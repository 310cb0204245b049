"""The garbage collector is off while a command loads its modules, and on while it works."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import click
import pytest

from accessguard.cli.context import before_long_run
from accessguard.cli.main import cli


@pytest.fixture
def collector_off() -> Iterator[None]:
    """As ``main`` leaves it; the test process gets its collector back afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.enable() if was else gc.disable()


def _resolve(*args: str) -> str | None:
    ctx = click.Context(cli)
    name, _, _ = cli.resolve_command(ctx, list(args))
    return name


@pytest.mark.usefixtures("collector_off")
@pytest.mark.parametrize("args", [("people", "list"), ("report", "access"), ("audit", "verify")])
def test_ordinary_commands_run_with_the_collector_on(args: tuple[str, ...]) -> None:
    assert _resolve(*args) == args[0]
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_off")
@pytest.mark.parametrize(
    "args", [("offboard", "x@example.com"), ("leavers", "run"), ("runs", "resume")]
)
def test_playbook_commands_turn_it_on_once_loaded(args: tuple[str, ...]) -> None:
    assert _resolve(*args) == args[0]
    assert not gc.isenabled()  # still loading: the planner, the runner, the actions
    before_long_run()
    assert gc.isenabled()
    gc.unfreeze()
