"""The CLI's answer to the engine's step-up guard: the operator's own TOTP code.

The engine (``playbooks/guards.py``) decides when step-up is needed; every command that
changes access or secrets passes it ``step_up_check(app, code)``, which reads the code
from ``--step-up-code`` / ``ACCESSGUARD_STEP_UP_CODE`` or asks on a terminal.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from accessguard.app import App

if TYPE_CHECKING:
    from accessguard.playbooks.plan import Plan

F = TypeVar("F", bound=Callable[..., Any])


def step_up_option(func: F) -> F:
    """``--step-up-code`` (or ``ACCESSGUARD_STEP_UP_CODE``), for every destructive command."""
    option = click.option(
        "--step-up-code",
        metavar="CODE",
        envvar="ACCESSGUARD_STEP_UP_CODE",
        help="Your current TOTP code, when [offboarding] step_up is on "
        "(asked on a terminal otherwise).",
    )
    return option(func)


def verify_step_up(app: App, code: str | None) -> None:
    """Check the operator's own TOTP code (secret in the OS keyring); raise to refuse."""
    import pyotp

    from accessguard import secrets_store
    from accessguard.errors import ConfigError, UsageError

    name = f"step-up:{app.actor}"
    secret = secrets_store.get_secret(name)
    if secret is None:
        raise ConfigError(
            f"step-up is on but no TOTP secret is stored for {app.actor}",
            hint=f"store yours with `python -m keyring set accessguard {name}`",
            code="step-up-missing",
        )
    if code is None:
        if not sys.stdin.isatty():
            raise UsageError(
                "step-up needs your TOTP code, but there is no terminal to ask on",
                hint="pass it with --step-up-code (or ACCESSGUARD_STEP_UP_CODE)",
            )
        code = click.prompt("Your TOTP code (step-up for a destructive run)", hide_input=True)
    if not pyotp.TOTP(secret.reveal()).verify(str(code).strip(), valid_window=1):
        raise UsageError("step-up failed: that TOTP code is not valid", code="step-up-failed")


def step_up_check(app: App, code: str | None) -> Callable[[Plan], None]:
    """The engine's step-up callback: verifies once per command (``leavers run`` starts many runs)."""
    passed = threading.Event()
    guard = threading.Lock()

    def check(plan: Plan) -> None:
        with guard:
            if not passed.is_set():
                verify_step_up(app, code)
                passed.set()

    return check
