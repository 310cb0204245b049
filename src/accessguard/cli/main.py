"""Root command: global options, lazily loaded subcommands and the one error boundary."""

from __future__ import annotations

import gc
import importlib
import itertools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from accessguard.cli.conventions import OUTPUT_OPTIONS, ROOT_OUTPUT, output_options
from accessguard.cli.conventions import apply as apply_output_convention
from accessguard.errors import ConfigError
from accessguard.exit_codes import ExitCode

if TYPE_CHECKING:
    from accessguard.playbooks.hooks import RunHooks

# name -> (module:attribute, short help). Modules load only when their command runs,
# so `accessguard --help` never imports SQLAlchemy, hvac or requests.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("accessguard.cli.setup:init_cmd", "Create the config file and the database."),
    "db": ("accessguard.cli.setup:db_group", "Database schema migrations."),
    "people": (
        "accessguard.cli.people:people",
        "People: add, list, show, update, import the HR feed, leave, cancel-leave.",
    ),
    "accounts": (
        "accessguard.cli.accounts:accounts",
        "Brand accounts: add, list, show, update, archive, import.",
    ),
    "grant": (
        "accessguard.cli.grants:grant_cmd",
        "Record that a person holds a role on an account.",
    ),
    "revoke": ("accessguard.cli.grants:revoke_cmd", "End a person's grants on an account."),
    "who-has": ("accessguard.cli.grants:who_has_cmd", "Who holds access to an account."),
    "holdings": ("accessguard.cli.grants:holdings_cmd", "What a person holds access to."),
    "audit": (
        "accessguard.cli.audit:audit",
        "The hash-chained audit trail: log, verify, export, anchor.",
    ),
    "login": (
        "accessguard.cli.login:login_cmd",
        "Store the Vault address and token in the OS keyring.",
    ),
    "logout": ("accessguard.cli.login:logout_cmd", "Remove the Vault token from the OS keyring."),
    "vault": (
        "accessguard.cli.vault:vault",
        "Vault: bootstrap, status, sync (people's access), revoke-person, user.",
    ),
    "creds": (
        "accessguard.cli.creds:creds",
        "Shared logins in Vault: set, import, reveal, rotate, confirm, rollback, status.",
    ),
    "totp": (
        "accessguard.cli.totp:totp",
        "2FA seeds in Vault custody: enroll, code, status, regenerate, confirm.",
    ),
    "stepup": (
        "accessguard.cli.stepup:stepup",
        "Your step-up second factor in Vault: enroll, whoami.",
    ),
    "playbooks": (
        "accessguard.cli.playbooks:playbooks",
        "Offboarding playbooks: list, show, validate.",
    ),
    "offboard": (
        "accessguard.cli.offboard:offboard_cmd",
        "Plan and run an offboarding for a person.",
    ),
    "runs": (
        "accessguard.cli.runs:runs",
        "Playbook runs: list, show, resume, confirm manual steps.",
    ),
    "leavers": ("accessguard.cli.leavers:leavers", "Offboard everyone whose end date has passed."),
    "connectors": ("accessguard.cli.connectors:connectors", "Platform connectors: list, check."),
    "reconcile": (
        "accessguard.cli.connectors:reconcile_cmd",
        "Compare platforms with the inventory.",
    ),
    "report": (
        "accessguard.cli.report:report",
        "Access review and keys reports; accept a finding's risk.",
    ),
    "review": ("accessguard.cli.review:review", "Access review campaigns."),
    "completion": (
        "accessguard.cli.completion:completion_cmd",
        "Print the shell completion script: bash, zsh or fish.",
    ),
}


def _load(name: str) -> click.Command | None:
    target, _ = COMMANDS[name]
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    command = getattr(module, attr, None)
    if not isinstance(command, click.Command):
        return None
    from accessguard.cli.completion import complete_names

    return complete_names(apply_output_convention(command))


def _module_exists(name: str) -> bool:
    module_name = COMMANDS[name][0].partition(":")[0]
    relative = module_name.removeprefix("accessguard.cli.")
    return (Path(__file__).parent / f"{relative}.py").exists()


#: Commands that turn the garbage collector back on themselves, once they have loaded
#: (and frozen) what their playbook runs need: ``before_long_run``.
COLLECT_WHEN_LOADED = frozenset({"offboard", "leavers", "runs"})


class LazyGroup(click.Group):
    """Loads a subcommand's module only when that subcommand is used."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # The root's own options fail here, before ``invoke``'s error boundary.
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            from accessguard.cli.usage import fail_usage

            fail_usage(exc)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # ``--version`` is eager and may come before ``-v``: look at the root's options now.
        leading = itertools.takewhile(lambda arg: arg not in COMMANDS, args)
        ctx.meta[VERBOSE_VERSION] = any(arg in ("-v", "--verbose") for arg in leading)
        return super().parse_args(ctx, args)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name not in COLLECT_WHEN_LOADED:
            gc.enable()  # off while ``main`` loaded modules; the command runs with it on
        return name, command, rest

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _module_exists(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        return _load(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        # The root's output options are defaults for the command (``conventions.resolve``).
        ctx.meta[ROOT_OUTPUT] = {name: ctx.params.get(name) for name in OUTPUT_OPTIONS}
        return run_guarded(
            lambda: super(LazyGroup, self).invoke(ctx), debug=bool(ctx.params.get("debug"))
        )


def run_guarded(func: Any, *, debug: bool = False) -> Any:
    """Call ``func``; turn any error into one line on stderr and a named exit code."""
    from accessguard.errors import AccessGuardError

    try:
        return func()
    except AccessGuardError as exc:
        _fail(f"error: {exc.message}", exc.hint, exc.exit_code)
    except click.UsageError as exc:
        from accessguard.cli.usage import fail_usage

        fail_usage(exc)
    except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
        raise
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as a process killed by SIGPIPE would.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(141)
    except KeyboardInterrupt:
        _fail("interrupted", "a run can be continued with `accessguard runs resume RUN`", 130)
    except Exception as exc:
        if debug:
            raise
        from accessguard.secret import redact

        detail = redact(str(exc)).splitlines()[0] if str(exc) else ""
        _fail(
            f"error: unexpected {type(exc).__name__}: {detail}".rstrip(": "),
            "re-run with --debug for details, and report it as a bug",
            ExitCode.ERROR,
        )
    return None


#: Where ``parse_args`` notes that ``-v`` came with ``--version`` (``ctx.meta``).
VERBOSE_VERSION = "accessguard.verbose_version"


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: the version; with ``-v`` also the libraries that matter and Python."""
    if not value or ctx.resilient_parsing:
        return
    from accessguard.cli.version import versions

    for line in versions(verbose=bool(ctx.meta.get(VERBOSE_VERSION))):
        click.echo(line)
    ctx.exit()


def _fail(message: str, hint: str | None, code: int) -> None:
    from accessguard.secret import redact

    click.echo(redact(message), err=True)
    if hint:
        click.echo(f"hint: {hint}", err=True)
    sys.exit(int(code))


@click.group(
    "accessguard",
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)
@click.option(
    "--version",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_print_version,
    help="Print the version and exit (with -v: also its libraries' and Python's).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="ACCESSGUARD_CONFIG",
    help="Config file (default: the user config directory).",
)
@click.option(
    "--db",
    "database_url",
    metavar="URL",
    help="Database URL (overrides config and ACCESSGUARD_DATABASE_URL).",
)
@click.option(
    "--actor",
    metavar="NAME",
    help="Who is acting (your email; case is ignored), recorded in the audit trail "
    "(default: $USER).",
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="ACCESSGUARD_LOG_FILE",
    help="Also log to this file (created 0600; secrets redacted).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log progress details to stderr.")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
@click.pass_context
def cli(
    ctx: click.Context,
    /,
    config_path: Path | None,
    database_url: str | None,
    actor: str | None,
    log_file: Path | None,
    verbose: bool,
    debug: bool,
    **output: Any,
) -> None:
    """accessguard: who holds the keys to your brand's social accounts, and how to take them back."""
    from accessguard.cli.context import RUN_HOOKS, build_app
    from accessguard.logs import configure

    configure(log_file=log_file, verbose=verbose)

    ctx.meta[RUN_HOOKS] = ctx.obj  # what ``main`` was handed: run hooks, or None
    named = ctx.get_parameter_source("config_path") is click.core.ParameterSource.COMMANDLINE
    missing = named and config_path is not None and not config_path.exists()
    if missing and ctx.invoked_subcommand != "init":  # `init` writes it
        raise ConfigError(
            f"config file {config_path} does not exist",
            hint="check the path, or create it with `accessguard --config FILE init`",
        )
    ctx.obj = build_app(config_path=config_path, database_url=database_url, actor=actor)
    ctx.call_on_close(ctx.obj.close)  # a command's connections end with it, also in-process


cli.params.extend(o for o in output_options() if o.name != "output_field")


def main(*, hooks: RunHooks | None = None) -> None:
    """Console-script entry point; ``hooks`` go to every run a command starts (tests only).

    A command loads most of its modules once it starts (SQLAlchemy, the tables, the
    playbook engine), objects that live until the process exits; the collector would
    walk them again and again while they load. It is off until the command is resolved
    (``LazyGroup.resolve_command``), or, for the commands that run playbooks, until they
    have loaded and frozen what a run needs (``before_long_run``): about 30 ms less CPU for a
    200-credential offboarding.
    """
    gc.disable()
    cli(prog_name="accessguard", obj=hooks)
