"""Step-up from the CLI: how a command asks for the operator's code, and `stepup enroll`.

The engine (``playbooks/guards.py``) decides when step-up is needed and the library
(``playbooks/stepup.py``) has Vault validate the code, once per code, under a
lockout; every command that changes access or secrets only injects how to obtain the
code: ``--step-up-code`` / ``ACCESSGUARD_STEP_UP_CODE``, or a prompt on a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from accessguard.app import App
from accessguard.cli.context import pass_app
from accessguard.cli.output import emit_json, info

if TYPE_CHECKING:
    from accessguard.playbooks.stepup import StepUp

F = TypeVar("F", bound=Callable[..., Any])


def step_up_option(func: F) -> F:
    """``--step-up-code`` (or ``ACCESSGUARD_STEP_UP_CODE``), for every destructive command."""
    option = click.option(
        "--step-up-code",
        metavar="CODE",
        envvar="ACCESSGUARD_STEP_UP_CODE",
        help="Your current step-up TOTP code (`accessguard stepup enroll`; also "
        "ACCESSGUARD_STEP_UP_CODE): step-up is on unless the config file turns it off; "
        "asked on a terminal when not given.",
    )
    return option(func)


def step_up_check(app: App, code: str | None) -> StepUp:
    """The step-up the CLI hands the engine: the given code, or a prompt on a terminal."""
    from accessguard.errors import UsageError
    from accessguard.playbooks.stepup import StepUp

    def ask(why: str) -> str:
        if code is not None:
            return str(code)
        if not sys.stdin.isatty():
            raise UsageError(
                "step-up needs your TOTP code, but there is no terminal to ask on",
                hint="pass it with --step-up-code (or ACCESSGUARD_STEP_UP_CODE)",
                code="step-up-required",
            )
        return str(click.prompt(f"Your step-up code ({why})", hide_input=True))

    return StepUp(ask)


@click.group("stepup")
def stepup() -> None:
    """Your own second factor for destructive commands, held and checked by Vault."""


@stepup.command("enroll")
@click.option(
    "--operator",
    metavar="NAME",
    help="The operator to enrol, as `stepup whoami` names them (default: this token's own).",
)
@pass_app
def enroll_cmd(app: App, operator: str | None) -> None:
    """Admin: have Vault generate an operator's step-up seed; its QR code is shown once.

    Needs an admin token (policy ag-<slug>-stepup-enroll, written by `vault bootstrap`):
    the tool token cannot write step-up seeds. Terminal only.
    """
    from accessguard.cli.qr import show_once
    from accessguard.errors import UsageError
    from accessguard.playbooks.stepup import Operator, enroll, operator_name, operator_of
    from accessguard.vault.facade import open_vault

    if not sys.stdout.isatty():
        raise UsageError(
            "the step-up seed is shown once, on a terminal only",
            hint="run `accessguard stepup enroll` in an interactive terminal",
            code="step-up-no-terminal",
        )
    vault = open_vault(app)
    who = operator_of(vault) if operator is None else Operator(operator_name(operator), None, False)
    uri = enroll(app, vault, who)
    info(f"step-up seed for {who.name} generated in Vault")
    show_once(uri)


@stepup.command("whoami")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@pass_app
def whoami_cmd(app: App, as_json: bool) -> None:
    """The operator your Vault token names (whose step-up seed is asked for)."""
    from accessguard.playbooks.stepup import operator_of
    from accessguard.vault.facade import open_vault

    vault = open_vault(app)
    operator = operator_of(vault)
    data = {
        "operator": operator.name,
        "entity_id": operator.entity_id,
        "service": operator.service,
        "key": vault.paths.operator_totp_key(operator.name),
    }
    if as_json:
        emit_json(data)
    else:
        click.echo(f"{operator.name}{' (service identity)' if operator.service else ''}")
