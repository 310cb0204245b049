"""`offboard --force` vs `--allow-unfinished`, and what `leavers run` prints per person (issue 19)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from accessguard.db import tables
from support.offboarding import LEAVER, end_state, invoke, invoke_json


def _runs(world) -> list[str]:
    return end_state(world)["runs"]


def test_force_no_longer_starts_a_run_beside_an_unfinished_one(world) -> None:
    first = invoke(world.app, "offboard", LEAVER, "--yes")
    assert first.exit_code == 5, first.stderr  # waiting for manual steps: unfinished
    before = end_state(world)
    refused = invoke(world.app, "offboard", LEAVER, "--yes", "--force")
    assert refused.exit_code == 1
    assert "is in progress" in refused.stderr
    assert "--allow-unfinished" in refused.stderr and "--force starts" not in refused.stderr
    assert end_state(world) == before
    second = invoke(world.app, "offboard", LEAVER, "--yes", "--allow-unfinished")
    assert second.exit_code in (0, 5), second.stderr
    assert len(_runs(world)) == 2


def test_step_lines_name_a_step_without_description_once(world) -> None:
    result = invoke(world.app, "offboard", LEAVER, "--yes")
    steps = [line for line in result.stderr.splitlines() if line.startswith("step ")]
    assert steps, result.stderr
    for line in steps:
        step, _, label = line.removeprefix("step ").partition(": ")
        assert label != step, line
    assert "step end-grants" in steps  # the shipped playbook's step has no description


def _make_ann_due(world) -> None:
    people = tables.people
    with world.app.begin() as s:
        s.execute(update(people).where(people.c.email == LEAVER).values(end_date=date(2026, 1, 1)))


def test_leavers_dry_run_prints_each_plan_and_checklist(world) -> None:
    _make_ann_due(world)
    before = end_state(world)
    result = invoke(world.app, "leavers", "run", "--dry-run")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"{LEAVER}: planned\n")
    code, data = invoke_json(world.app, "leavers", "run", "--dry-run")
    (row,) = data["leavers"]
    plan_steps = data["leavers"][0]["plan"]["steps"]
    for number, step in enumerate(plan_steps, 1):
        flag = " [destructive]" if step["destructive"] else ""
        done = f"skipped, {step['skipped']}" if step["skipped"] else f"{len(step['items'])} item(s)"
        assert f"{number:>4}. {step['id']} ({step['action']}){flag}: {done}\n" in out
    assert [s["items"] for s in row["steps"]] == [len(s["items"]) for s in plan_steps]
    assert "  manual checklist:\n" in out
    planned = {(task["step"], task["item"]) for task in row["checklist"]}
    assert ("rotate-shared-logins", "credential-1") in planned
    for task in row["checklist"]:
        line = f"    [ ] {task['step']} {task['item']} ({task['label']}): {task['instructions']}"
        assert line in out
    assert end_state(world) == before

    # the dry run's checklist is what the real run leaves waiting (bar notifications,
    # which wait only when their channel is not configured)
    code, done = invoke_json(world.app, "leavers", "run")
    assert code == 5
    shown = invoke_json(world.app, "runs", "show", done["leavers"][0]["run"])[1]
    waiting = {
        (step["id"], item["item"])
        for step in shown["steps"]
        for item in step["items"]
        if item["status"] == "waiting" and step["action"] != "notify"
    }
    assert planned == waiting


def test_leavers_run_prints_the_checklist_of_what_waits(world) -> None:
    _make_ann_due(world)
    result = invoke(world.app, "leavers", "run")
    assert result.exit_code == 5, result.stderr  # manual steps wait
    _, data = invoke_json(world.app, "runs", "list")
    (run,) = [r for r in data if r["subject"] == LEAVER]
    assert result.stdout.startswith(f"{LEAVER}: waiting, run {run['id']}\n")
    assert "  manual checklist:\n    [ ] " in result.stdout
    shown = invoke_json(world.app, "runs", "show", run["id"])[1]
    waiting = [
        (step["id"], item["item"])
        for step in shown["steps"]
        for item in step["items"]
        if item["status"] == "waiting"
    ]
    assert len(waiting) >= 3
    for step, item in waiting:
        assert f"    [ ] {step} {item} (" in result.stdout
    assert result.stdout.count("    [ ] ") == len(waiting)
