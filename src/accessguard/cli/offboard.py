"""`offboard PERSON`: build the plan, print it, confirm, run it with progress, summarise."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from accessguard.app import App
from accessguard.cli.context import before_long_run, pass_app, run_hooks
from accessguard.cli.options import confirm_or_refuse
from accessguard.cli.output import console, emit_json, info
from accessguard.cli.stepup import step_up_check, step_up_option

if TYPE_CHECKING:
    from accessguard.playbooks.run_report import RunEvent
    from accessguard.secret import Secret


@contextmanager
def progress(total: int) -> Iterator[Any]:
    """An event sink: a progress bar on a terminal, plain lines on stderr otherwise."""
    if not sys.stderr.isatty():

        def plain(event: RunEvent) -> None:
            if event.kind == "step":
                # A step without a description is labelled by its action, often its id too.
                same = event.label in ("", event.step)
                info(f"step {event.step}" if same else f"step {event.step}: {event.label}")
            else:
                info(
                    f"  [{event.status}] {event.step} {event.item}: {event.message or event.label}"
                )

        yield plain
        return
    from contextlib import ExitStack

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with ExitStack() as stack:
        live: list[tuple[Progress, Any]] = []

        def bar_and_task() -> tuple[Progress, Any]:
            # Started by the first event: the engine may ask for a step-up code before that.
            if not live:
                bar = stack.enter_context(
                    Progress(
                        TextColumn("{task.description}"),
                        BarColumn(),
                        MofNCompleteColumn(),
                        console=console(stderr=True),
                    )
                )
                live.append((bar, bar.add_task("offboarding", total=total)))
            return live[0]

        def fancy(event: RunEvent) -> None:
            bar, task = bar_and_task()
            if event.kind == "step":
                bar.update(task, description=event.step)
                return
            colour = {"failed": "red", "waiting": "yellow", "changed": "green"}.get(
                event.status, ""
            )
            status = f"[{colour}]{event.status}[/]" if colour else event.status
            bar.console.print(
                f"  {status} {event.step} {event.item}: {event.message or event.label}",
                markup=True,
                highlight=False,
            )
            bar.advance(task)

        yield fancy


def secret_sink(show_anywhere: bool) -> Any:
    """Show a one-time secret (a 2FA enrolment QR) on a terminal, or anywhere with --show-secrets."""

    def show(label: str, secret: Secret) -> bool:
        if not (show_anywhere or sys.stderr.isatty()):
            return False
        import segno

        value = secret.reveal()
        info(f"{label} (shown once; scan it now):")
        segno.make(value, error="m").terminal(out=sys.stderr, compact=True)
        info(value)
        return True

    return show


def render_summary(summary: dict[str, Any]) -> None:
    """Print a finished run: counts, the manual checklist and failures."""
    counts = ", ".join(f"{n} {s}" for s, n in summary["counts"].items()) or "no items"
    click.echo(f"run {summary['id']} for {summary['subject']}: {summary['status']} ({counts})")
    for step in summary.get("steps", []):
        for item in step["items"]:
            if item["status"] == "waiting":
                click.echo(f"  WAITING {step['id']} {item['item']}: {item['message']}")
                if item["instructions"]:
                    click.echo(f"      {item['instructions']}")
            elif item["status"] == "held":
                click.echo(f"  HELD    {step['id']} {item['item']}: {item['message']}")
            elif item["status"] == "failed":
                click.echo(f"  FAILED  {step['id']} {item['item']}: {item['message']}")
                if item["details"].get("hint"):
                    click.echo(f"      hint: {item['details']['hint']}")
    if summary["status"] == "waiting":
        click.echo(
            f"next: confirm each manual step with `accessguard runs confirm {summary['id']} STEP "
            "--item ITEM --evidence TEXT`"
        )
    elif summary.get("stopped_by"):
        click.echo(f"error: {summary['stopped_by']}", err=True)
    elif summary["status"] in ("failed", "partial", "running"):
        click.echo(f"next: fix the cause, then `accessguard runs resume {summary['id']}`")


@click.command("offboard")
@click.argument("person")
@click.option(
    "--playbook",
    "playbook_ref",
    metavar="NAME|FILE",
    help="Playbook (default: [offboarding] default_playbook, standard).",
)
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option("--yes", "-y", is_flag=True, help="Run without asking for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan (and the run) as JSON.")
@click.option("--concurrency", type=click.IntRange(1, 64), help="Items run in parallel per step.")
@click.option("--successor", metavar="PERSON", help="Who inherits what the leaver owns.")
@step_up_option
@click.option(
    "--force",
    is_flag=True,
    help="Accept leaving accounts without an active admin (the handover guard's risk).",
)
@click.option(
    "--allow-unfinished",
    is_flag=True,
    help="Start a new run even though a run for PERSON is unfinished (see `runs list`).",
)
@click.option(
    "--observed-only", is_flag=True, help="Rotate only credentials the leaver was seen to reveal."
)
@click.option(
    "--show-secrets", is_flag=True, help="Show new 2FA QR codes even when stderr is not a terminal."
)
@pass_app
@click.pass_context
def offboard_cmd(
    ctx: click.Context,
    app: App,
    person: str,
    playbook_ref: str | None,
    dry_run: bool,
    yes: bool,
    as_json: bool,
    concurrency: int | None,
    successor: str | None,
    step_up_code: str | None,
    force: bool,
    allow_unfinished: bool,
    observed_only: bool,
    show_secrets: bool,
) -> None:
    """Plan and run the offboarding of PERSON (email); --dry-run only prints the plan.

    --force accepts leaving an account without an active admin; it no longer starts a
    run beside an unfinished one: that is --allow-unfinished.
    """
    from accessguard.playbooks.loader import resolve
    from accessguard.playbooks.plan import plan_lines
    from accessguard.playbooks.planner import build_plan

    book = resolve(app.settings, playbook_ref or app.settings.offboarding.default_playbook)
    with app.begin() as session:
        plan = build_plan(
            session, book, person, successor=successor, force=force, observed_only=observed_only
        )
    if dry_run and as_json:
        emit_json({"dry_run": True, "plan": plan.to_dict()})
        return
    for line in plan_lines(plan):
        click.echo(line, err=as_json)
    if dry_run:
        return
    confirm_or_refuse(yes, "Run this plan?", hint="review the plan with --dry-run, then pass --yes")
    # Only a run needs the runner (and the actions it registers): a dry run or a refused plan
    # never loads them.
    from accessguard.playbooks.run_views import run_summary
    from accessguard.playbooks.runner import run_plan

    before_long_run()
    with progress(plan.item_count) as sink:
        report = run_plan(
            app,
            plan,
            concurrency=concurrency or app.settings.offboarding.concurrency,
            on_event=sink,
            show_secret=secret_sink(show_secrets),
            allow_unfinished=allow_unfinished,
            on_start=lambda run_id: info(f"run {run_id} started"),
            hooks=run_hooks(),
            step_up=step_up_check(app, step_up_code),
        )
    summary = run_summary(app, report.run_id)
    if as_json:
        emit_json(
            {
                "dry_run": False,
                "plan": plan.to_dict(),
                "run": summary,
                "exit_code": report.exit_code,
            }
        )
    else:
        render_summary(summary)
    ctx.exit(report.exit_code)
