"""`leavers run`: offboard everyone whose end date has passed (for cron and systemd timers)."""

from __future__ import annotations

from typing import Any

import click

from accessguard.app import App
from accessguard.cli.context import pass_app
from accessguard.cli.output import emit_json, info, table
from accessguard.cli.stepup import step_up_check, step_up_option


@click.group("leavers")
def leavers() -> None:
    """People whose end date has passed (from the HR feed)."""


@leavers.command("run")
@click.option("--dry-run", is_flag=True, help="Print who would be offboarded and their plans.")
@click.option(
    "--playbook", metavar="NAME|FILE", help="Playbook (default: [offboarding] default_playbook)."
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 32),
    default=2,
    show_default=True,
    help="People offboarded at the same time.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@step_up_option
@pass_app
@click.pass_context
def run_cmd(
    ctx: click.Context,
    app: App,
    dry_run: bool,
    playbook: str | None,
    concurrency: int,
    as_json: bool,
    step_up_code: str | None,
) -> None:
    """Offboard every leaver whose end date has passed: one run each, without asking."""
    from accessguard.cli.context import before_long_run, run_hooks
    from accessguard.playbooks.leavers import offboard_leavers

    before_long_run()

    def progress(row: dict[str, object]) -> None:
        info(f"{row['person']}: {row['status']}" + (f" ({row['error']})" if row["error"] else ""))

    rows, code = offboard_leavers(
        app,
        playbook=playbook,
        dry_run=dry_run,
        concurrency=concurrency,
        on_done=None if as_json else progress,
        hooks=run_hooks(),
        step_up=step_up_check(app, step_up_code),
    )
    if as_json:
        emit_json({"dry_run": dry_run, "leavers": rows, "exit_code": code})
    else:
        for row in rows:
            _render_person(row)
        table(
            ["person", "status", "run", "items", "error"],
            [[r["person"], r["status"], r["run"], r.get("items"), r["error"]] for r in rows],
        )
    ctx.exit(code)


def _render_person(row: dict[str, Any]) -> None:
    """One leaver: the plan in brief (steps, items, destructive) and the manual checklist."""
    run = f", run {row['run']}" if row["run"] else ""
    click.echo(f"{row['person']}: {row['status']}{run}")
    if row["error"]:
        click.echo(f"  error: {row['error']}")
    for number, step in enumerate(row["steps"], 1):
        flag = " [destructive]" if step["destructive"] else ""
        done = f"skipped, {step['skipped']}" if step["skipped"] else f"{step['items']} item(s)"
        click.echo(f"  {number:>2}. {step['id']} ({step['action']}){flag}: {done}")
    if row["checklist"]:
        click.echo("  manual checklist:")
        for task in row["checklist"]:
            text = task["instructions"].replace("\n", "\n        ")
            click.echo(f"    [ ] {task['step']} {task['item']} ({task['label']}): {text}")
    elif row["steps"]:
        click.echo("  manual checklist: nothing to do by hand")
