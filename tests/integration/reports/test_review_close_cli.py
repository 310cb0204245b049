"""`review close` asks before it acts, prints a plain line, and its guards change nothing (issue 19)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from click.testing import CliRunner, Result
from sqlalchemy import func, select, update

from accessguard.app import App
from accessguard.cli.main import cli
from accessguard.db import tables

BOB = "bob@example.com"


def run(app: App, *args: str, actor: str = "tester@example.com") -> Result:
    return CliRunner().invoke(
        cli, ["--db", app.settings.database_url, "--actor", actor, *args], catch_exceptions=False
    )


def _campaign_with_one_revoke(app: App) -> int:
    """brand-main reviewed by Bob: the other holder decided revoke (why given with --reason)."""
    with app.begin() as conn:
        conn.execute(
            update(tables.accounts)
            .where(tables.accounts.c.name == "brand-main")
            .values(connector="manual")
        )
    due = (app.clock.now().date() + timedelta(days=7)).isoformat()
    started = run(app, "review", "start", "--scope", "account", "brand-main",
                  "--reviewer", BOB, "--due", due, "--json")  # fmt: skip
    campaign = int(json.loads(started.stdout)["campaign"])
    items = json.loads(run(app, "review", "pending", "--json").stdout)
    other = next(i for i in items if i["person"] != BOB)
    decided = run(app, "review", "decide", str(other["item"]), "revoke", "--reason", "left",
                  "--json", actor=BOB)  # fmt: skip
    assert json.loads(decided.stdout)["note"] == "left"
    return campaign


def _state(app: App) -> dict[str, Any]:
    with app.begin() as conn:
        count = conn.execute(select(func.count()).select_from(tables.audit_events)).scalar_one()
        return {
            "campaigns": conn.execute(select(tables.review_campaigns.c.status)).all(),
            "grants": conn.execute(select(tables.grants).order_by(tables.grants.c.id)).all(),
            "runs": conn.execute(select(tables.runs.c.id)).all(),
            "events": count,
        }


def test_close_without_a_terminal_or_yes_refuses_and_changes_nothing(clean_app: App) -> None:
    campaign = _campaign_with_one_revoke(clean_app)
    before = _state(clean_app)
    refused = run(clean_app, "review", "close", str(campaign), "--force")
    assert refused.exit_code == 2
    assert refused.stdout == ""
    first, *rest = refused.stderr.splitlines()
    assert first.startswith("error: refusing to go ahead without confirmation")
    assert rest == ["hint: check the plan with --dry-run, then pass --yes"]
    dry = run(clean_app, "review", "close", str(campaign), "--force", "--dry-run")
    assert "Plan 'review-close'" in dry.stdout
    assert _state(clean_app) == before


def test_close_prints_a_plain_line_not_a_python_dict(clean_app: App) -> None:
    campaign = _campaign_with_one_revoke(clean_app)
    closed = run(clean_app, "review", "close", str(campaign), "--force", "--yes")
    assert closed.exit_code == 5, closed.stderr  # waiting for the manual platform removal
    line = next(s for s in closed.stderr.splitlines() if s.startswith("closed review campaign"))
    assert "{" not in line and "'" not in line
    assert re.fullmatch(
        rf"closed review campaign #{campaign}: 0 kept, 1 to revoke \(1 waiting; "
        r"run \S+, waiting\)",
        line,
    ), line
    run_id = json.loads(run(clean_app, "runs", "list", "--json").stdout)[0]["id"]
    unlocked = run(clean_app, "runs", "unlock", run_id, "-o", "json")
    assert json.loads(unlocked.stdout) == {"run": run_id, "released": False}
    csv_out = run(clean_app, "runs", "unlock", run_id, "-o", "csv", "--no-headers")
    assert csv_out.stdout == f"{run_id},false\n"


def test_reason_is_the_name_in_help_and_note_still_works(clean_app: App) -> None:
    shown = run(clean_app, "review", "decide", "--help").stdout
    assert "--reason TEXT" in shown
    assert "--note" not in shown
    missing = run(clean_app, "report", "accept", "x:y:1", "--until", "2099-01-01")
    assert missing.exit_code == 2
    assert "'--reason'" in missing.stderr
    assert "--note" not in missing.stderr
