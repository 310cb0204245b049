"""`report`: the access review report (formats, delivery, --fail-on) and the keys report."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from accessguard.app import App
from accessguard.cli.context import pass_app
from accessguard.cli.options import reason_option
from accessguard.cli.output import (
    Format,
    emit_json,
    info,
    settings,
    table,
    timestamp,
    written_to,
)
from accessguard.exit_codes import ExitCode

SEVERITIES = ["info", "low", "medium", "high", "critical"]


@click.group("report")
def report() -> None:
    """Access review and keys reports; risk acceptances of findings."""


def _refuse_webhook_url(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """A webhook URL is a bearer secret: never take it from argv (ps, shell history), never echo it."""
    if value is not None:
        from accessguard.errors import UsageError

        raise UsageError(
            "--slack-webhook is refused: a webhook URL on the command line is visible to other "
            "users; put it in ACCESSGUARD_SLACK_WEBHOOK, Vault or the keyring and use --slack"
        )


@report.command("access", context_settings={"allow_extra_args": True})
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "md", "html"]),
    default="table",
    hidden=True,  # the older spelling of -o/--output, which takes md and html too
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (same as -o json).")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE (0600)."
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    help="Exit 3 when a finding is at or above this severity (for schedulers).",
)
@click.option("--email", "emails", multiple=True, metavar="TO", help="Email the HTML report.")
@click.option(
    "--fetch-lockout",
    is_flag=True,
    help="First fetch lock-out facts through the connectors: Google Workspace super admins "
    "(2SV, recovery), Meta business users (2FA, pending email) and 2FA requirement.",
)
@click.option(
    "--slack",
    is_flag=True,
    help="Post a summary to the configured Slack webhook (ACCESSGUARD_SLACK_WEBHOOK, "
    "or the slack notifier's secret in Vault or the keyring).",
)
@click.option(
    "--slack-webhook",
    hidden=True,
    expose_value=False,
    is_eager=True,
    callback=_refuse_webhook_url,
)
@pass_app
def access_cmd(
    app: App,
    fmt: str,
    as_json: bool,
    out: Path | None,
    fail_on: str | None,
    emails: tuple[str, ...],
    fetch_lockout: bool,
    slack: bool,
) -> None:
    """The access review: findings, per account and per person."""
    if click.get_current_context().args:  # collected, not echoed: `--slack URL` would show it
        from accessguard.errors import UsageError

        raise UsageError(
            "report access takes no arguments (not repeated here); a Slack webhook URL goes "
            "in ACCESSGUARD_SLACK_WEBHOOK, Vault or the keyring, and --slack posts to it"
        )
    from accessguard.reports.delivery import prepare_delivery
    from accessguard.reports.findings.base import Severity
    from accessguard.reports.service import deliver, write_access_report

    if as_json:
        fmt = "json"
    # Delivery settings first: a missing or bad one stops here, nothing printed, written or sent.
    delivery = prepare_delivery(app, emails=emails, slack=slack)
    if fetch_lockout:
        from accessguard.reports.lockout import scan_lockout

        with app.begin() as conn:
            scans = scan_lockout(conn, app, now=app.clock.now())
        info(f"fetched {scans.describe()}")
    with app.begin() as conn:
        digest = write_access_report(
            conn,
            app.settings,
            now=app.clock.now(),
            fmt=fmt,
            out=out,
            headers=settings().headers,
        )
        if delivery.wanted:
            deliver(conn, app, digest, delivery, html=out)
    if out is not None:
        info(f"wrote {out} ({digest.total} finding(s))")
    if fail_on and digest.at_or_above(Severity.parse(fail_on)):
        info(f"{digest.at_or_above(Severity.parse(fail_on))} finding(s) at or above {fail_on}")
        sys.exit(int(ExitCode.CHANGES_PENDING))


@report.command("keys")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE (0600)."
)
@pass_app
def keys_cmd(app: App, as_json: bool, out: Path | None) -> None:
    """For each shared login: who can read it, who saw it, last rotation, where its 2FA seed is."""
    from accessguard.reports.keys import keys_report

    with app.begin() as conn:
        rows = keys_report(conn, app.clock.now())
    with written_to(out):
        _render_keys(rows, as_json=as_json)
    if out is not None:
        info(f"wrote {out} ({len(rows)} shared login(s))")


def _render_keys(rows: list[dict[str, Any]], *, as_json: bool) -> None:
    """JSON as the library gives it; the table (and CSV, its flat columns) names people."""
    if as_json and settings().format is not Format.CSV:
        emit_json(rows)
        return
    table(
        [
            "account",
            "version",
            "state",
            "rotated",
            "can read",
            "saw current",
            "saw other fields",
            "2fa seed",
        ],
        [
            [
                r["account"],
                r["current_version"],
                r["state"],
                r["last_rotated_at"] or "never",
                ", ".join(m["person"] for m in r["readers"]) or "-",
                ", ".join(s["person"] for s in r["seen_current_version_by"]) or "-",
                ", ".join(f"{f['person']}: {f['field']}" for f in r["fields_seen"]) or "-",
                r["totp"]["where"],
            ]
            for r in rows
        ],
    )


@report.command("accept")
@click.argument("finding")
@click.option("--until", required=True, metavar="DATE", help="Last day covered (ISO), max a year.")
@reason_option(required=True, help="Why the risk is accepted.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def accept_cmd(app: App, finding: str, until: str, reason: str, as_json: bool) -> None:
    """Accept a current finding's risk until a date (shown as accepted, not counted); audited.

    FINDING is the finding's id from `report access -o json`
    (kind:subject_type:subject_id). The acceptance ends at expiry, or as soon as the
    finding becomes more severe than when it was accepted.
    """
    from accessguard.reports.acceptances import accept

    with app.begin() as conn:
        accepted = accept(
            conn,
            app.clock,
            app.settings,
            finding=finding,
            until=until,
            note=reason,
            actor=app.actor,
        )
    if as_json:
        emit_json(accepted.to_dict())
        return
    info(
        f"accepted {accepted.finding_id} ({accepted.severity.label}) until {timestamp(accepted.until)}"
    )


@report.command("unaccept")
@click.argument("finding")
@click.option("--json", "as_json", is_flag=True, help="Print the withdrawn acceptance as JSON.")
@pass_app
def unaccept_cmd(app: App, finding: str, as_json: bool) -> None:
    """Withdraw the acceptance of FINDING: it counts again from now; audited."""
    from accessguard.reports.acceptances import unaccept

    with app.begin() as conn:
        withdrawn = unaccept(conn, app.clock, finding=finding, actor=app.actor)
    if as_json:
        emit_json(withdrawn.to_dict())
        return
    info(f"withdrew the acceptance of {withdrawn.finding_id}")


@report.command("acceptances")
@click.option("--all", "include_ended", is_flag=True, help="Also expired and withdrawn ones.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def acceptances_cmd(app: App, include_ended: bool, as_json: bool) -> None:
    """Risk acceptances in force (or all of them): finding, by whom, until when, why."""
    from accessguard.reports.acceptances import list_acceptances

    now = app.clock.now()
    with app.begin() as conn:
        rows = list_acceptances(conn, now, include_ended=include_ended)
    if as_json:
        emit_json([a.to_dict() for a in rows])
        return

    def state(until: datetime, revoked: datetime | None) -> str:
        return "withdrawn" if revoked else ("expired" if until <= now else "in force")

    table(
        ["finding", "severity", "accepted by", "until", "state", "note"],
        [
            [
                a.finding_id,
                a.severity.label,
                a.by,
                a.until,
                state(a.until, a.revoked_at),
                a.note,
            ]
            for a in rows
        ],
    )
