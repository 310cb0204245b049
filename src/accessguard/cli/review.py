"""`review`: access review campaigns: start, pending, decide, close, report."""

from __future__ import annotations

from datetime import datetime

import click

from accessguard.app import App
from accessguard.cli.context import pass_app
from accessguard.cli.output import emit_json, info, table


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
    from accessguard.reports.campaigns import parse_scope, start_campaign

    kind, value = parse_scope(scope, scope_value)
    with app.transaction() as session:
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
    from accessguard.reports.campaigns import pending_items

    with app.transaction() as session:
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
@click.option("--note", help="Why (kept as evidence).")
@click.option(
    "--override", is_flag=True, help="Decide an item assigned to another reviewer (needs --note)."
)
@pass_app
def decide_cmd(app: App, item: int, decision: str, note: str | None, override: bool) -> None:
    """Decide keep or revoke for one item (as its reviewer: see --actor)."""
    from accessguard.reports.campaigns import decide

    with app.transaction() as session:
        decide(session, app.clock, app.actor, item, decision, note=note, override=override)
    info(f"item {item}: {decision}")


@review.command("confirm")
@click.argument("item", type=int)
@click.option("--evidence", required=True, help="What was done: a note, a ticket, a file hash.")
@pass_app
def confirm_cmd(app: App, item: int, evidence: str) -> None:
    """Confirm the manual platform removal of a closed campaign's revoke (kept as evidence)."""
    from accessguard.reports.campaign_close import confirm_item

    with app.transaction() as session:
        confirm_item(session, app.clock, app.actor, item, evidence=evidence)
    info(f"item {item}: platform removal confirmed")


@review.command("close")
@click.argument("campaign", type=int)
@click.option("--force", is_flag=True, help="Close even with undecided items (they are kept).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def close_cmd(app: App, campaign: int, force: bool, as_json: bool) -> None:
    """Apply the revoke decisions and close the campaign."""
    import sys

    from accessguard.exit_codes import ExitCode
    from accessguard.reports.campaign_close import close_campaign

    result = close_campaign(app, campaign, force=force).to_dict()
    if as_json:
        emit_json(result)
    else:
        info(
            f"closed review campaign #{campaign}: {result['kept']} kept, revoked {result['revoked']}"
            f" via {result['engine']}"
        )
    if set(result["revoked"]) & {"failed", "waiting"}:
        sys.exit(
            int(
                ExitCode.WAITING_MANUAL
                if "failed" not in result["revoked"]
                else ExitCode.PARTIAL_FAILURE
            )
        )


@review.command("report")
@click.argument("campaign", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def report_cmd(app: App, campaign: int, as_json: bool) -> None:
    """Who decided what, when: the attestation evidence."""
    from accessguard.reports.campaigns import campaign_report

    with app.transaction() as session:
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
