"""`audit`: read the hash-chained trail, verify it, export it as JSON Lines for a SIEM."""

from __future__ import annotations

import json
import sys
from collections import deque
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from accessguard.app import App
from accessguard.cli.context import pass_app
from accessguard.cli.output import emit_json, info, table
from accessguard.exit_codes import ExitCode


@click.group("audit")
def audit() -> None:
    """The append-only, hash-chained audit trail."""


def _since(value: str | None) -> datetime | None:
    from accessguard.errors import InputError
    from accessguard.inventory.validation import parse_datetime

    if not value:
        return None
    try:
        return parse_datetime(value, "--since")
    except InputError as exc:
        raise InputError(
            exc.message, hint="write it YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SSZ (UTC)"
        ) from None


def _summary(details: dict[str, Any]) -> str:
    text = json.dumps(details, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= 80 else text[:77] + "..."


@audit.command("log")
@click.option("--since", metavar="DATE", help="Only events at or after this date/time (UTC).")
@click.option("--limit", type=click.IntRange(min=1), help="Only the newest N events.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (a list of events).")
@pass_app
def log_cmd(app: App, since: str | None, limit: int | None, as_json: bool) -> None:
    """Show audit events, oldest first."""
    from accessguard.audit.chain import event_to_dict, iter_events

    start = _since(since)
    with app.begin() as conn:
        events = deque((event_to_dict(e) for e in iter_events(conn, since=start)), maxlen=limit)
    if as_json:
        emit_json(list(events))
        return
    table(
        ["seq", "time", "actor", "action", "target", "details"],
        [
            [
                e["seq"],
                e["occurred_at"][:19],
                e["actor"],
                e["action"],
                e["target"],
                _summary(e["details"]),
            ]
            for e in events
        ],
    )


@audit.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def verify_cmd(app: App, as_json: bool) -> None:
    """Check the keyed hash chain and the checkpoint kept in Vault; exit 1 naming what broke."""
    from accessguard.audit.chain import verify

    with app.begin() as conn:
        result = verify(conn)
    if as_json:
        emit_json(result.to_dict())
    elif result.ok:
        click.echo(f"audit trail intact: {result.checked} event(s), head {result.head_hash[:16]}")
    if result.ok and not as_json:
        _verify_notes(result.keyed_from, result.anchor)
    if not result.ok:
        info(f"error: audit trail broken at event {result.bad_seq}: {result.problem}")
        info(
            "hint: the database was changed outside accessguard; compare with your last "
            "`audit export` and restore from backup"
        )
        sys.exit(int(ExitCode.ERROR))


def _verify_notes(keyed_from: int | None, anchor: dict[str, Any] | None) -> None:
    """Say on stderr what an intact result does not prove: an unkeyed or unanchored trail."""
    if keyed_from is None:
        info(
            "note: the chain is not keyed (no Vault configured, or no event since keying was "
            "enabled): anyone who can write the database could rewrite it"
        )
    elif keyed_from > 1:
        info(f"note: events 1-{keyed_from - 1} are unkeyed (before keying was enabled)")
    if anchor is None:
        info("note: no checkpoint outside the database (Vault is not configured)")
    elif anchor["seq"] is None:
        info(f"note: no checkpoint at {anchor['location']} yet (`accessguard audit anchor`)")
    else:
        info(f"checkpoint at {anchor['location']}: event {anchor['seq']} agrees")


@audit.command("anchor")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def anchor_cmd(app: App, as_json: bool) -> None:
    """Verify the chain, then checkpoint its head in Vault (check-and-set, forward only)."""
    from accessguard.audit.anchors import anchor_head
    from accessguard.audit.chain import verify
    from accessguard.errors import ConflictError

    with app.begin() as conn:
        result = verify(conn)
    if not result.ok:
        raise ConflictError(
            f"not anchoring a broken trail: event {result.bad_seq}: {result.problem}",
            hint="run `accessguard audit verify` and restore the database from backup",
            code="audit-broken",
        )
    with app.begin() as conn:
        outcome = anchor_head(conn)
    if as_json:
        emit_json(outcome.to_dict())
    elif outcome.status == "unavailable":
        info("no checkpoint written: Vault is not configured (set VAULT_ADDR)")
    else:
        click.echo(
            f"checkpoint {outcome.status}: event {outcome.to_dict()['seq']} at {outcome.location}"
        )


@audit.command("export")
@click.option(
    "--out",
    required=True,
    metavar="FILE.jsonl",
    help="File to write (created 0600), or '-' for stdout.",
)
@click.option("--since", metavar="DATE", help="Only events at or after this date/time (UTC).")
@pass_app
def export_cmd(app: App, out: str, since: str | None) -> None:
    """Export events as JSON Lines for a SIEM, then checkpoint the head in Vault."""
    from accessguard.audit.anchors import anchor_head
    from accessguard.audit.chain import export_file, export_jsonl

    start = _since(since)
    with app.begin() as conn:
        if out == "-":
            count = export_jsonl(conn, sys.stdout, since=start)
        else:
            count = export_file(conn, Path(out), since=start)
    info(f"exported {count} event(s) to {'stdout' if out == '-' else out}")
    with app.begin() as conn:
        outcome = anchor_head(conn)
    if outcome.anchor is not None:
        info(f"checkpoint {outcome.status}: event {outcome.anchor.seq} at {outcome.location}")
