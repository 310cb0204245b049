"""`review`: access review campaigns: start, pending, decide, close (a run of the engine), report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from accessguard.app import App
from accessguard.cli.context import pass_app
from accessguard.cli.conventions import no_csv
from accessguard.cli.options import dry_run_option, plan_gate, reason_option, yes_option
from accessguard.cli.output import emit_json, info, table
from accessguard.cli.stepup import step_up_check, step_up_option


@click.group("review")
def review() -> None:
    """Access review campaigns: reviewers attest keep or revoke for each grant."""


@review.command("start")
@click.option("--scope", required=True, help="all | platform P | account A")
@click.argument("scope_value", required=False, metavar="[P|A]")
@click.option("--reviewer", required=True, metavar="PERSON", help="Reviewer's email.")
@click.option("--due", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def start_cmd(
    app: App, scope: str, scope_value: str | None, reviewer: str, due: datetime, as_json: bool
) -> None:
    """Start a campaign over every active grant in scope."""
    from accessguard.reviews.campaigns import parse_scope, start_campaign

    kind, value = parse_scope(scope, scope_value)
    with app.begin() as session:
        campaign = start_campaign(
            session,
            app.clock,
            app.actor,
            scope=f"{kind} {value or ''}".strip(),
            reviewer=reviewer,
            due=due.date(),
        )
        data = {"campaign": campaign.id, "scope": campaign.scope, "items": campaign.item_count}
    if as_json:
        emit_json(data)
        return
    info(f"started review campaign #{data['campaign']} ({data['scope']}): {data['items']} item(s)")


@review.command("pending")
@click.option("--reviewer", metavar="PERSON", help="Only this reviewer's items.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def pending_cmd(app: App, reviewer: str | None, as_json: bool) -> None:
    """Items still waiting for a decision."""
    from accessguard.reviews.campaigns import pending_items

    with app.begin() as session:
        rows = list(pending_items(session, app.clock.now().date(), reviewer=reviewer))
    if as_json:
        emit_json(rows)
        return
    table(
        ["item", "campaign", "person", "account", "role", "via", "reviewer", "due", "overdue"],
        [
            [r[c] for c in ("item", "campaign", "person", "account", "role", "via", "reviewer")]
            + [r["due"], r["overdue"]]
            for r in rows
        ],
    )


@review.command("decide")
@click.argument("item", type=int)
@click.argument("decision", type=click.Choice(["keep", "revoke"]))
@reason_option(help="Why (kept as evidence).")
@click.option(
    "--override",
    is_flag=True,
    help="Decide an item assigned to another reviewer (needs --reason).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
@pass_app
def decide_cmd(
    app: App, item: int, decision: str, reason: str | None, override: bool, as_json: bool
) -> None:
    """Decide keep or revoke for one item (as its reviewer: see --actor)."""
    from accessguard.reviews.campaigns import decide

    with app.begin() as session:
        decide(session, app.clock, app.actor, item, decision, note=reason, override=override)
    if as_json:
        emit_json({"item": item, "decision": decision, "note": reason, "decided_by": app.actor})
    else:
        info(f"item {item}: {decision}")


@review.command("close")
@no_csv
@click.argument("campaign", type=int)
@click.option(
    "--force",
    is_flag=True,
    help="Close even with undecided items (they are kept) or accounts left without an admin.",
)
@dry_run_option
@yes_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@step_up_option
@pass_app
@click.pass_context
def close_cmd(
    ctx: click.Context,
    app: App,
    campaign: int,
    force: bool,
    dry_run: bool,
    yes: bool,
    as_json: bool,
    step_up_code: str | None,
) -> None:
    """Apply the revoke decisions as a run of the engine and close the campaign.

    Manual platform removals wait in the run: confirm them with `runs confirm`.
    """
    from accessguard.cli.context import before_long_run, run_hooks
    from accessguard.cli.offboard import progress
    from accessguard.reviews.close import close_campaign, close_plan

    with app.begin() as session:
        plan = close_plan(session, campaign, force=force)
    question = f"Close review campaign #{campaign} and apply its revoke decisions?"
    if not plan_gate(plan, dry_run=dry_run, yes=yes, as_json=as_json, question=question):
        return
    before_long_run()
    with progress(plan.item_count) as sink:
        closed = close_campaign(
            app,
            plan,
            step_up=step_up_check(app, step_up_code),
            on_event=None if as_json else sink,
            on_start=None if as_json else (lambda run_id: info(f"run {run_id} started")),
            hooks=run_hooks(),
        )
    _render_close(closed.to_dict(), as_json=as_json)
    ctx.exit(closed.exit_code)


def _render_close(result: dict[str, Any], *, as_json: bool) -> None:
    """A close's outcome: JSON, or a line, the manual checklist and what to do next."""
    if as_json:
        emit_json(result)
        return
    revoked = ", ".join(f"{n} {outcome}" for outcome, n in sorted(result["revoked"].items()))
    info(
        f"closed review campaign #{result['campaign']}: {result['kept']} kept, "
        f"{sum(result['revoked'].values())} to revoke ({revoked or 'none'}; "
        f"run {result['run']}, {result['status']})"
    )
    for item, applied in result["items"].items():
        if applied["instructions"]:
            info(f"  WAITING item {item}: {applied['instructions']}")
    if result["status"] == "waiting":
        info(
            f"next: confirm each manual step with `accessguard runs confirm {result['run']} "
            "STEP --item ITEM --evidence TEXT`"
        )


@review.command("report")
@click.argument("campaign", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def report_cmd(app: App, campaign: int, as_json: bool) -> None:
    """Who decided what, when: the attestation evidence."""
    from accessguard.reviews.campaigns import campaign_report

    with app.begin() as session:
        data = campaign_report(session, campaign, app.clock.now().date())
    if as_json:
        emit_json(data)
        return
    click.echo(
        f"campaign #{data['campaign']} ({data['scope']}), reviewer {data['reviewer']}, "
        f"due {data['due']}, {data['status']}"
    )
    table(
        ["item", "person", "account", "role", "decision", "by", "at", "note", "outcome"],
        [
            [i[c] for c in ("item", "person", "account", "role")]
            + [i["decision"] or "undecided"]
            + [i[c] for c in ("decided_by", "decided_at", "note", "outcome")]
            for i in data["items"]
        ],
    )
