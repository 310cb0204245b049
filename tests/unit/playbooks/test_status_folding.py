"""How item statuses fold into a step's and a run's status, and a run's status into an exit code."""

from __future__ import annotations

import pytest

from accessguard.exit_codes import ExitCode
from accessguard.playbooks.status import (
    RETRY,
    ItemStatus,
    RunStatus,
    StepStatus,
    exit_code,
    run_status,
    step_status,
    summary_counts,
)
from accessguard.results import Outcome

I = ItemStatus  # noqa: E741 - short rows read better


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([I.CHANGED, I.UNCHANGED], StepStatus.DONE),
        ([I.DONE, I.CHANGED], StepStatus.DONE),
        ([], StepStatus.DONE),
        ([I.CHANGED, I.WAITING], StepStatus.WAITING),
        ([I.WAITING, I.PENDING], StepStatus.RUNNING),
        ([I.CHANGED, I.RUNNING], StepStatus.RUNNING),
        ([I.WAITING, I.FAILED], StepStatus.FAILED),
        ([I.PENDING, I.FAILED], StepStatus.FAILED),
        ([I.CHANGED, I.HELD], StepStatus.WAITING),
        ([I.HELD, I.FAILED], StepStatus.FAILED),
    ],
)
def test_step_status_folds_its_items(items: list[ItemStatus], expected: StepStatus) -> None:
    assert step_status(items) is expected


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([I.CHANGED, I.UNCHANGED, I.DONE], RunStatus.COMPLETED),
        ([I.CHANGED, I.WAITING], RunStatus.WAITING),
        ([I.WAITING, I.FAILED], RunStatus.PARTIAL),
        ([I.FAILED, I.PENDING], RunStatus.RUNNING),
        ([I.CHANGED, I.RUNNING], RunStatus.RUNNING),
        # A grant held revoke-pending never lets the run complete.
        ([I.CHANGED, I.HELD], RunStatus.WAITING),
        ([I.HELD, I.FAILED], RunStatus.PARTIAL),
    ],
)
def test_run_status_folds_all_items(items: list[ItemStatus], expected: RunStatus) -> None:
    assert run_status(items, stopped=False) is expected


def test_a_stopped_run_fails_whatever_its_items_say() -> None:
    assert run_status([I.CHANGED, I.WAITING], stopped=True) is RunStatus.FAILED


def test_folding_reads_stored_strings() -> None:
    assert step_status(["changed", "failed"]) is StepStatus.FAILED


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (RunStatus.COMPLETED, ExitCode.OK),
        (RunStatus.WAITING, ExitCode.WAITING_MANUAL),
        (RunStatus.PARTIAL, ExitCode.PARTIAL_FAILURE),
        (RunStatus.FAILED, ExitCode.ERROR),
        (RunStatus.RUNNING, ExitCode.ERROR),
        ("no-such-status", ExitCode.ERROR),
    ],
)
def test_exit_code_of_a_run(status: str, code: ExitCode) -> None:
    assert exit_code(status) is code


def test_summary_counts_by_status_name() -> None:
    counts = summary_counts([I.CHANGED, I.WAITING, I.CHANGED])
    assert counts == {"changed": 2, "waiting": 1}


@pytest.mark.parametrize("outcome", list(Outcome))
def test_an_item_takes_its_actions_outcome_as_status(outcome: Outcome) -> None:
    assert ItemStatus.of(outcome).value == outcome.value


@pytest.mark.parametrize(
    ("enum", "values"),
    [
        (
            ItemStatus,
            {"pending", "running", "changed", "unchanged", "failed", "waiting", "done", "held"},
        ),
        (StepStatus, {"pending", "running", "waiting", "failed", "done", "skipped"}),
        (RunStatus, {"running", "waiting", "partial", "failed", "completed", "interrupted"}),
    ],
)
def test_stored_status_values_never_change(enum: type, values: set[str]) -> None:
    assert {member.value for member in enum} == values


def test_an_interrupted_run_exits_as_an_error_and_is_never_a_folded_status() -> None:
    assert exit_code(RunStatus.INTERRUPTED) == ExitCode.ERROR
    folded = {run_status(s, stopped=False) for s in ([I.PENDING], [I.RUNNING], [I.DONE])}
    assert RunStatus.INTERRUPTED not in folded  # only shown, from the lock (run_views)


def test_a_resume_runs_held_items_again() -> None:
    assert I.HELD in RETRY
