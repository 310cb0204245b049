"""`runs`: list, show, resume, confirm manual steps, unlock after a crash."""

from __future__ import annotations

from pathlib import Path

import click

from accessguard.app import App
from accessguard.cli.context import pass_app
from accessguard.cli.conventions import no_csv
from accessguard.cli.options import confirm_or_refuse
from accessguard.cli.output import emit_json, info, table
from accessguard.cli.stepup import step_up_check, step_up_option
from accessguard.errors import UsageError
from accessguard.playbooks.status import ItemStatus, RunStatus


@click.group("runs")
def runs() -> None:
    """Playbook runs and their per-step, per-item state."""


@runs.command("list")
@click.option("--subject", metavar="PERSON", help="Only runs for this person (email).")
@click.option("--status", type=click.Choice([status.value for status in RunStatus]))
@click.option("--limit", type=click.IntRange(1, 10000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def list_cmd(app: App, subject: str | None, status: str | None, limit: int, as_json: bool) -> None:
    """List recent runs, newest first."""
    from accessguard.playbooks.run_views import list_runs, run_to_dict

    now = app.clock.now()
    with app.begin() as session:
        rows = [
            run_to_dict(session, r, now=now, with_items=False)
            for r in list_runs(session, now=now, subject=subject, status=status, limit=limit)
        ]
    if as_json:
        emit_json(rows)
        return
    table(
        ["id", "subject", "playbook", "status", "created_at", "counts"],
        [
            [
                r["id"],
                r["subject"],
                r["playbook"],
                r["status"],
                r["created_at"],
                ", ".join(f"{n} {s}" for s, n in r["counts"].items()),
            ]
            for r in rows
        ],
    )
    for r in rows:
        if r["hint"]:
            info(f"{r['id']} is interrupted (its process is gone): `{r['hint']}`")


@runs.command("show")
@click.argument("run_id", metavar="RUN")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def show_cmd(app: App, run_id: str, as_json: bool) -> None:
    """Show a run: every step and item with its status, instructions and evidence."""
    from accessguard.playbooks.run_views import run_summary

    summary = run_summary(app, run_id)
    if as_json:
        emit_json(summary)
        return
    click.echo(
        f"run {summary['id']}: {summary['playbook']} for {summary['subject']}, {summary['status']}"
    )
    if summary["hint"]:
        click.echo(f"its process is gone: continue it with `{summary['hint']}`")
    for warning in summary["warnings"]:
        click.echo(f"WARNING: {warning}")
    for step in summary["steps"]:
        click.echo(f"{step['id']} ({step['action']}): {step['status']}")
        for item in step["items"]:
            click.echo(f"  [{item['status']}] {item['item']}: {item['message'] or item['label']}")
            if item["status"] in (ItemStatus.WAITING, ItemStatus.HELD) and item["instructions"]:
                click.echo(f"      {item['instructions']}")
            if item["status"] == ItemStatus.FAILED and item["details"].get("hint"):
                click.echo(f"      hint: {item['details']['hint']}")
            if item["evidence"]:
                click.echo(f"      evidence: {item['evidence']} ({item['confirmed_by']})")
            if item["evidence_sha256"]:
                click.echo(
                    f"      evidence file: {item['evidence_file']} sha256:{item['evidence_sha256']}"
                )


@runs.command("resume")
@no_csv
@click.argument("run_id", metavar="RUN")
@click.option("--concurrency", type=click.IntRange(1, 64), help="Items run in parallel per step.")
@click.option(
    "--show-secrets", is_flag=True, help="Show new 2FA QR codes even when stderr is not a terminal."
)
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")
@step_up_option
@pass_app
@click.pass_context
def resume_cmd(
    ctx: click.Context,
    app: App,
    run_id: str,
    concurrency: int | None,
    show_secrets: bool,
    as_json: bool,
    step_up_code: str | None,
) -> None:
    """Continue a run from its first unfinished item (failed items are retried)."""
    from accessguard.cli.context import before_long_run, run_hooks
    from accessguard.cli.offboard import progress, render_summary, secret_sink
    from accessguard.playbooks.run_views import run_summary
    from accessguard.playbooks.runner import resume_run

    before_long_run()
    before = run_summary(app, run_id)
    total = sum(len(s["items"]) for s in before["steps"])
    with progress(total) as sink:
        report = resume_run(
            app,
            run_id,
            concurrency=concurrency or app.settings.offboarding.concurrency,
            on_event=sink,
            show_secret=secret_sink(show_secrets),
            hooks=run_hooks(),
            step_up=step_up_check(app, step_up_code),
        )
    summary = run_summary(app, run_id)
    if as_json:
        emit_json({"run": summary, "exit_code": report.exit_code})
    else:
        render_summary(summary)
    ctx.exit(report.exit_code)


@runs.command("confirm")
@no_csv
@click.argument("run_id", metavar="RUN")
@click.argument("step_id", metavar="STEP")
@click.option("--item", "item_id", metavar="ID", help="The item (needed when several wait).")
@click.option("--all", "all_items", is_flag=True, help="Every waiting item of STEP (listed first).")
@click.option("--evidence", help="What was done: a note, a ticket key.")
@click.option(
    "--evidence-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A file proving it (its SHA-256 and name are kept, not the file).",
)
@click.option("--yes", is_flag=True, help="With --all: do not ask.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@step_up_option
@pass_app
@click.pass_context
def confirm_cmd(
    ctx: click.Context,
    app: App,
    run_id: str,
    step_id: str,
    item_id: str | None,
    all_items: bool,
    evidence: str | None,
    evidence_file: Path | None,
    yes: bool,
    as_json: bool,
    step_up_code: str | None,
) -> None:
    """Complete a manual step with evidence; the run completes when nothing is left."""
    from accessguard.playbooks.confirm import confirm_items, confirmable
    from accessguard.playbooks.evidence import evidence_of
    from accessguard.playbooks.run_views import run_summary
    from accessguard.playbooks.status import exit_code

    if item_id and all_items:
        raise UsageError("--item and --all: choose one")
    proof = evidence_of(evidence, evidence_file)
    items = confirmable(app, run_id, step_id, item_id=item_id, all_items=all_items)
    if all_items:
        info(f"{len(items)} waiting item(s) of {step_id} will be confirmed with this evidence:")
        for item in items:
            info(f"  {item.item_id}: {item.label}")
        _ask(yes, f"Confirm these {len(items)} item(s)?")
    done = confirm_items(
        app,
        run_id,
        step_id,
        item_ids=[i.item_id for i in items],
        evidence=proof,
        step_up=step_up_check(app, step_up_code),
    )
    summary = run_summary(app, run_id)
    if as_json:
        emit_json({"confirmed": done, "run": summary})
    else:
        for row in done:
            info(f"confirmed {step_id} {row['item']}")
        info(f"run {run_id}: {summary['status']}")
    ctx.exit(int(exit_code(summary["status"])))


def _ask(yes: bool, question: str) -> None:
    """Ask on the terminal unless --yes; without a terminal and --yes, refuse (nothing changes)."""
    confirm_or_refuse(yes, question, hint="review the list above, then pass --yes")


@runs.command("unlock")
@click.argument("run_id", metavar="RUN")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def unlock_cmd(app: App, run_id: str, as_json: bool) -> None:
    """Drop the lock a killed process left for RUN (only when that process is gone)."""
    from accessguard.playbooks.confirm import unlock

    released = unlock(app, run_id)
    if as_json:
        emit_json({"run": run_id, "released": released})
        return
    info(f"lock for {run_id} released" if released else f"{run_id} held no lock")
