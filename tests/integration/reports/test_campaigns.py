"""Review campaigns: decisions are evidence, closing is a run of the playbook engine."""

from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import func, select, update

from accessguard.app import App
from accessguard.audit.chain import find_events, verify
from accessguard.cli.main import cli
from accessguard.db import tables
from accessguard.inventory.records import grant_records


def run(app: App, *args: str, actor: str = "tester@example.com"):
    result = CliRunner().invoke(
        cli, ["--db", app.settings.database_url, "--actor", actor, *args], catch_exceptions=False
    )
    return result


def test_campaign_two_revokes_close_and_report(clean_app: App) -> None:
    """Facebook has no usable connector here: the engine ends the grants and leaves manual steps."""
    app = clean_app
    accounts = tables.accounts
    with app.begin() as session:
        changed = session.execute(
            update(accounts).where(accounts.c.name == "brand-main").values(connector="manual")
        )
        assert changed.rowcount == 1
    due = (app.clock.now().date() + timedelta(days=7)).isoformat()
    started = run(
        app, "review", "start", "--scope", "account", "brand-main",
        "--reviewer", "bob@example.com", "--due", due, "--json",
    )  # fmt: skip
    assert started.exit_code == 0, started.output
    campaign = json.loads(started.output)["campaign"]
    assert json.loads(started.output)["items"] == 2

    pending = json.loads(
        run(app, "review", "pending", "--reviewer", "bob@example.com", "--json").output
    )
    assert len(pending) == 2 and not any(p["overdue"] for p in pending)
    for item in pending:
        out = run(app, "review", "decide", str(item["item"]), "revoke", "--note", "left the team",
                  "--json", actor="bob@example.com")  # fmt: skip
        assert out.exit_code == 0, out.output
        assert json.loads(out.stdout) == {
            "item": item["item"], "decision": "revoke", "note": "left the team",
            "decided_by": "bob@example.com",
        }  # fmt: skip
    assert json.loads(run(app, "review", "pending", "--json").output) == []

    # Both admins of brand-main would go: the engine's handover guard refuses, nothing changes.
    refused = run(app, "review", "close", str(campaign), "--yes", "--json")
    assert refused.exit_code == 1, refused.output
    assert "no active admin" in refused.output
    assert (
        json.loads(run(app, "review", "report", str(campaign), "--json").output)["status"] == "open"
    )

    closed = run(app, "review", "close", str(campaign), "--force", "--yes", "--json")
    assert closed.exit_code == 5, closed.output  # waiting for the manual platform removal
    body = json.loads(closed.output)
    assert body["engine"] == "playbooks.runner" and body["revoked"] == {"waiting": 2}
    assert all(item["instructions"] for item in body["items"].values())
    run_id = body["run"]
    listed = json.loads(run(app, "runs", "list", "--json").output)
    assert [r["id"] for r in listed] == [run_id]
    assert listed[0]["subject"] == f"review-campaign-{campaign}"
    shown = json.loads(run(app, "runs", "show", run_id, "--json").output)
    assert shown["status"] == "waiting"

    with app.begin() as session:
        grants = grant_records(session, tables.grants.c.id.in_([p["grant_id"] for p in pending]))
        assert len(grants) == 2
        for grant in grants:  # the platform removals wait: the grants are held, not ended
            assert grant.revoked_at is None
            assert "runs confirm" in (grant.revoke_pending_reason or "")
            assert grant.revoke_pending_run == run_id
        actions = [e.action for e in find_events(session)]
        assert actions.count("review.decide") == 2 and "review.close" in actions
        assert "review.start" in actions and actions.count("grant.revoke-pending") == 2
        assert "run.start" in actions
        assert verify(session).ok

    report = json.loads(run(app, "review", "report", str(campaign), "--json").output)
    assert report["status"] == "closed" and report["counts"] == {
        "keep": 0,
        "revoke": 2,
        "undecided": 0,
    }
    assert report["run"] == run_id
    assert {i["grant_id"] for i in report["items"]} == {p["grant_id"] for p in pending}
    for item in report["items"]:
        assert item["decision"] == "revoke" and item["decided_by"] == "bob@example.com"
        assert item["decided_at"] and item["note"] == "left the team"
        assert item["outcome"] == "waiting" and item["applied_at"]
    text = run(app, "review", "report", str(campaign)).output
    assert "bob@example.com" in text and "revoke" in text

    # The manual platform removals are confirmed with evidence through the run, once.
    first, second = report["items"]
    assert "to do:" in first["outcome_message"]
    step, item_id = "revoke-platform-access", f"grant-{first['grant_id']}"
    done = run(app, "runs", "confirm", run_id, step, "--item", item_id,
               "--evidence", "removed, ticket SEC-9")  # fmt: skip
    assert done.exit_code == 5, done.output  # the other item still waits
    twice = run(app, "runs", "confirm", run_id, step, "--item", item_id, "--evidence", "again")
    assert twice.exit_code == 1 and "not waiting" in twice.output
    empty = run(app, "runs", "confirm", run_id, step, "--item", f"grant-{second['grant_id']}",
                "--evidence", " ")  # fmt: skip
    assert empty.exit_code == 2
    after = json.loads(run(app, "review", "report", str(campaign), "--json").output)
    outcomes = {i["item"]: (i["outcome"], i["outcome_message"]) for i in after["items"]}
    assert outcomes[first["item"]][0] == "changed" and "SEC-9" in outcomes[first["item"]][1]
    assert outcomes[second["item"]][0] == "waiting"
    with app.begin() as session:  # the confirmed removal ended its grant, the other is held
        ended = {
            g.id: g
            for g in grant_records(
                session, tables.grants.c.id.in_([p["grant_id"] for p in pending])
            )
        }
        assert ended[first["grant_id"]].revoked_run_id == run_id
        assert ended[first["grant_id"]].removal_confirmed_at is not None
        assert ended[second["grant_id"]].revoked_at is None


def test_close_refuses_undecided_and_closed_is_final(clean_app: App) -> None:
    app = clean_app
    due = (app.clock.now().date() + timedelta(days=7)).isoformat()
    started = run(app, "review", "start", "--scope", "all", "--reviewer", "bob@example.com",
                  "--due", due, "--json")  # fmt: skip
    campaign = json.loads(started.output)["campaign"]
    items = json.loads(run(app, "review", "pending", "--json").output)
    first = next(i for i in items if i["person"] != "bob@example.com")
    run(app, "review", "decide", str(first["item"]), "keep", actor="bob@example.com")
    items = [first] + [i for i in items if i is not first]
    refused = CliRunner().invoke(
        cli, ["--db", app.settings.database_url, "review", "close", str(campaign)]
    )
    assert refused.exit_code == 1 and "undecided" in refused.output
    assert run(app, "review", "close", str(campaign), "--force", "--yes").exit_code == 0
    again = CliRunner().invoke(
        cli,
        ["--db", app.settings.database_url, "review", "decide", str(items[1]["item"]), "revoke"],
    )
    assert again.exit_code == 1 and "closed" in again.output
    with app.begin() as session:
        assert grant_records(session, tables.grants.c.revoked_at.is_not(None)) == []


def test_bad_scope_is_a_usage_error(clean_app: App) -> None:
    result = CliRunner().invoke(
        cli,
        ["--db", clean_app.settings.database_url, "review", "start", "--scope", "everything",
         "--reviewer", "bob@example.com", "--due", "2099-01-01"],
    )  # fmt: skip
    assert result.exit_code == 2 and "scope" in result.output


def test_only_the_reviewer_decides_and_nobody_keeps_their_own_access(clean_app: App) -> None:
    app = clean_app
    due = (app.clock.now().date() + timedelta(days=7)).isoformat()
    run(app, "review", "start", "--scope", "account", "brand-main",
        "--reviewer", "bob@example.com", "--due", due)  # fmt: skip
    items = json.loads(run(app, "review", "pending", "--json").output)
    own = next(i for i in items if i["person"] == "bob@example.com")
    other = next(i for i in items if i["person"] != "bob@example.com")

    not_reviewer = run(app, "review", "decide", str(other["item"]), "keep", actor="eve@example.com")
    assert not_reviewer.exit_code == 1 and "bob@example.com to decide" in not_reviewer.output
    no_reason = run(app, "review", "decide", str(other["item"]), "keep", "--override",
                    actor="eve@example.com")  # fmt: skip
    assert no_reason.exit_code == 2 and "--reason" in no_reason.output
    self_keep = run(app, "review", "decide", str(own["item"]), "keep", actor="bob@example.com")
    assert self_keep.exit_code == 1 and "own access" in self_keep.output
    assert json.loads(run(app, "review", "pending", "--json").output) == items  # nothing decided

    ok = run(app, "review", "decide", str(other["item"]), "keep", "--override", "--note",
             "bob is on leave; CISO decides", actor="ciso@example.com")  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert (
        run(app, "review", "decide", str(own["item"]), "revoke", actor="bob@example.com").exit_code
        == 0
    )
    with app.begin() as session:
        event = next(iter(find_events(session, action="review.decide")), None)
        assert event is not None and event.actor == "ciso@example.com" and event.details["override"]


def test_close_dry_run_prints_the_plan_and_changes_nothing(clean_app: App) -> None:
    app = clean_app
    due = (app.clock.now().date() + timedelta(days=7)).isoformat()
    started = run(app, "review", "start", "--scope", "account", "brand-main",
                  "--reviewer", "bob@example.com", "--due", due, "--json")  # fmt: skip
    campaign = json.loads(started.output)["campaign"]
    items = json.loads(run(app, "review", "pending", "--json").output)
    other = next(i for i in items if i["person"] != "bob@example.com")
    run(app, "review", "decide", str(other["item"]), "revoke", actor="bob@example.com")

    dry = run(app, "review", "close", str(campaign), "--force", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    plan = json.loads(dry.output)["plan"]
    assert plan["playbook"] == "review-close" and plan["item_count"] == 2
    steps = {s["id"]: s for s in plan["steps"]}
    assert [i["id"] for i in steps["end-grants"]["items"]] == [f"grant-{other['grant_id']}"]
    assert steps["sync-vault-groups"]["skipped"] == "nothing to do"
    text = run(app, "review", "close", str(campaign), "--force", "--dry-run")
    assert "Plan 'review-close' for review campaign" in text.output
    assert json.loads(run(app, "runs", "list", "--json").output) == []
    report = json.loads(run(app, "review", "report", str(campaign), "--json").output)
    assert report["status"] == "open" and report["run"] is None


def test_a_scope_with_nothing_to_review_starts_no_campaign(clean_app: App) -> None:
    """A campaign with no items would sit open forever, reviewed by nobody: refused in one line."""
    app = clean_app
    due = (app.clock.now().date() + timedelta(days=7)).isoformat()
    with app.begin() as session:
        before = session.execute(select(func.count()).select_from(tables.review_campaigns))
        campaigns_before = before.scalar_one()
    refused = run(
        app, "review", "start", "--scope", "platform:reddit",
        "--reviewer", "bob@example.com", "--due", due,
    )  # fmt: skip
    assert refused.exit_code != 0
    assert refused.stderr.splitlines()[0] == (
        "error: nothing to review in platform:reddit: it holds no active grant"
    )
    with app.begin() as session:
        after = session.execute(select(func.count()).select_from(tables.review_campaigns))
        assert after.scalar_one() == campaigns_before
        assert find_events(session, action="review.start") == []
