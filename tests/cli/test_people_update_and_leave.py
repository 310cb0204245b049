"""`people update`, `people cancel-leave`, and --json on `people add/leave/rehire` (issue 19).

Outcomes are read back through `people show --json` and the audit log; every refusal
is one `error:` line and changes nothing (row counts and the person as before).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.inventory import counts, execute, invoke, invoke_json, seed


@pytest.fixture
def url(sqlite_url: str, tmp_path: Path) -> str:
    seed(sqlite_url, tmp_path)
    return sqlite_url


def _person(url: str, email: str) -> dict:
    return invoke_json(url, "people", "show", email)


def _changes(out: dict) -> dict[str, list]:
    """A printed change's records as {field: [before, after]}."""
    return {c["field"]: [c["before"], c["after"]] for c in out["changes"]}


def _audit(url: str, action: str) -> list[dict]:
    return [e for e in invoke_json(url, "audit", "log") if e["action"] == action]


def _one_line_error(result, text: str) -> None:
    assert result.exit_code in (1, 2), result.stderr
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if not line.startswith("hint:")]
    assert lines == [lines[0]] and lines[0].startswith("error: "), result.stderr
    assert text in result.stderr, result.stderr


def test_update_changes_what_add_set_and_audits_the_reason(url: str) -> None:
    out = invoke_json(
        url,
        "people",
        "update",
        "BOB@example.com",
        "--name",
        "Bob Editor-Smith",
        "--department",
        "Brand",
        "--manager",
        "cy@agency.example",
        "--kind",
        "contractor",
        "--until",
        "2027-03-31",
        "--reason",
        "contract renewed",
    )
    assert out["person"] == "bob@example.com" and out["dry_run"] is False
    assert _changes(out)["name"] == ["Bob Editor", "Bob Editor-Smith"]
    assert _changes(out)["end_date"] == [None, "2027-03-31"]
    bob = _person(url, "bob@example.com")
    assert (bob["name"], bob["department"], bob["manager"], bob["kind"], bob["end_date"]) == (
        "Bob Editor-Smith",
        "Brand",
        "cy@agency.example",
        "contractor",
        "2027-03-31",
    )
    assert bob["status"] == "active"
    (event,) = _audit(url, "person.update")
    assert event["target"] == "bob@example.com"
    assert event["details"]["reason"] == "contract renewed"
    assert event["details"]["changes"]["department"] == ["Social", "Brand"]


def test_update_dry_run_prints_the_changes_and_writes_nothing(url: str) -> None:
    before, bob = counts(url), _person(url, "bob@example.com")
    result = invoke(url, "people", "update", "bob@example.com", "--team", "Brand", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "department: Social -> Brand\n"
    assert "dry run: nothing written" in result.stderr
    assert counts(url) == before and _person(url, "bob@example.com") == bob


def test_update_clears_an_optional_field_and_the_end_date(url: str) -> None:
    invoke_json(url, "people", "update", "bob@example.com", "--until", "2027-01-31")
    out = invoke_json(url, "people", "update", "bob@example.com", "--manager", "", "--no-end-date")
    assert _changes(out) == {
        "manager_email": ["ann@example.com", None],
        "end_date": ["2027-01-31", None],
    }
    bob = _person(url, "bob@example.com")
    assert bob["manager"] is None and bob["end_date"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--manager", "not-an-email"), "manager: 'not-an-email' is not a valid email"),
        (("--name", ""), "--name: must not be empty"),
        (("--manager", "bob@example.com"), "cannot be their own manager"),
        (("--until", "2027-01-01", "--no-end-date"), "not both"),
        (("--until", "31/12/2027"), "'31/12/2027'"),
    ],
)
def test_update_refuses_bad_values_and_changes_nothing(
    url: str, args: tuple[str, ...], message: str
) -> None:
    before, bob = counts(url), _person(url, "bob@example.com")
    result = invoke(url, "people", "update", "bob@example.com", *args)
    assert result.exit_code == 2
    assert message in result.stderr, result.stderr
    assert counts(url) == before and _person(url, "bob@example.com") == bob


def test_update_of_a_leavers_end_date_points_to_leave_and_cancel_leave(url: str) -> None:
    invoke_json(url, "people", "leave", "bob@example.com", "--on", "2026-12-31")
    before = counts(url)
    result = invoke(url, "people", "update", "bob@example.com", "--until", "2027-06-30")
    _one_line_error(result, "bob@example.com is leaving")
    assert "people cancel-leave" in result.stderr and "people leave" in result.stderr
    assert counts(url) == before


def test_unknown_person_gets_a_did_you_mean_hint(url: str) -> None:
    before = counts(url)
    result = invoke(url, "people", "update", "bob@exampel.com", "--name", "B")
    _one_line_error(result, "no person with email 'bob@exampel.com'")
    assert 'hint: did you mean "bob@example.com"' in result.stderr
    assert counts(url) == before
    far = invoke(url, "holdings", "zzz@nowhere.example")
    assert "did you mean" not in far.stderr


def test_add_leave_and_rehire_print_json(url: str) -> None:
    added = invoke_json(
        url, "people", "add", "Dee@Example.com", "--name", "Dee", "--until", "2026-12-31"
    )
    assert added["email"] == "dee@example.com" and added["end_date"] == "2026-12-31"
    assert added["status"] == "active"
    left = invoke_json(url, "people", "leave", "dee@example.com", "--on", "2026-10-01")
    assert left["status"] == "departed" and left["end_date"] == "2026-10-01"
    back = invoke_json(url, "people", "rehire", "dee@example.com", "--on", "2026-11-15")
    assert back["status"] == "active" and back["end_date"] is None
    assert _person(url, "dee@example.com")["status"] == "active"


def test_leave_records_the_reason(url: str) -> None:
    invoke_json(url, "people", "leave", "bob@example.com", "--on", "2026-12-31", "--reason", "HR")
    (event,) = _audit(url, "person.update")
    assert event["details"]["reason"] == "HR"
    assert event["details"]["changes"]["status"] == ["active", "leaving"]


def test_cancel_leave_makes_a_leaver_active_again(url: str) -> None:
    invoke_json(url, "people", "leave", "bob@example.com", "--on", "2026-12-31")
    out = invoke_json(
        url, "people", "cancel-leave", "bob@example.com", "--reason", "wrong person in the feed"
    )
    assert _changes(out) == {"status": ["leaving", "active"], "end_date": ["2026-12-31", None]}
    bob = _person(url, "bob@example.com")
    assert bob["status"] == "active" and bob["end_date"] is None
    history = invoke_json(url, "people", "history", "bob@example.com")
    assert history["employments"][-1]["status"] == "active"
    assert history["employments"][-1]["end_date"] is None
    (event,) = _audit(url, "person.cancel-leave")
    assert event["details"]["reason"] == "wrong person in the feed"


def test_changes_print_as_csv_rows(url: str) -> None:
    invoke_json(url, "people", "leave", "bob@example.com", "--on", "2026-12-31")
    result = invoke(url, "people", "cancel-leave", "bob@example.com", "--dry-run", "-o", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "field,before,after",
        "status,leaving,active",
        "end_date,2026-12-31,",
    ]
    added = invoke(url, "people", "add", "dee@example.com", "--name", "Dee", "-o", "csv", "-q")
    assert added.exit_code == 0 and added.stderr == ""
    assert added.stdout.splitlines()[0].startswith("email,name,department,manager,kind,status")


def test_cancel_leave_dry_run_writes_nothing(url: str) -> None:
    invoke_json(url, "people", "leave", "bob@example.com", "--on", "2026-12-31")
    before, bob = counts(url), _person(url, "bob@example.com")
    result = invoke(url, "people", "cancel-leave", "bob@example.com", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["dry_run"] is True
    assert counts(url) == before and _person(url, "bob@example.com") == bob


def test_cancel_leave_is_refused_once_departed_and_names_rehire(url: str) -> None:
    invoke_json(url, "people", "leave", "bob@example.com", "--on", "2026-10-01")  # passed
    before, bob = counts(url), _person(url, "bob@example.com")
    result = invoke(url, "people", "cancel-leave", "bob@example.com")
    _one_line_error(result, "bob@example.com has departed")
    assert "people rehire" in result.stderr
    assert counts(url) == before and _person(url, "bob@example.com") == bob


def test_cancel_leave_of_someone_not_leaving_is_refused(url: str) -> None:
    before = counts(url)
    result = invoke(url, "people", "cancel-leave", "bob@example.com")
    _one_line_error(result, "bob@example.com is active, not leaving")
    assert counts(url) == before


def test_cancel_leave_is_refused_while_a_run_is_under_way(url: str) -> None:
    invoke_json(url, "people", "leave", "bob@example.com", "--on", "2026-12-31")
    execute(
        url,
        "INSERT INTO runs (id, subject, playbook, playbook_digest, status, plan, actor,"
        " created_at, updated_at) VALUES ('run-1', 'bob@example.com', 'standard', 'd',"
        " 'waiting', '{}', 'x', '2026-11-01 00:00:00', '2026-11-01 00:00:00')",
    )
    before, bob = counts(url), _person(url, "bob@example.com")
    result = invoke(url, "people", "cancel-leave", "bob@example.com")
    _one_line_error(result, "run run-1 for bob@example.com is under way")
    assert counts(url) == before and _person(url, "bob@example.com") == bob


def test_old_option_names_are_hidden_aliases(url: str) -> None:
    out = invoke_json(url, "people", "update", "bob@example.com", "--end-date", "2027-02-01")
    assert _changes(out)["end_date"] == [None, "2027-02-01"]
    invoke_json(url, "people", "leave", "bob@example.com", "--on", "2026-12-31")
    invoke_json(url, "people", "cancel-leave", "bob@example.com", "--note", "typo")
    (event,) = _audit(url, "person.cancel-leave")
    assert event["details"]["reason"] == "typo"
    for command in ("update", "cancel-leave", "rehire", "add"):
        help_text = invoke(url, "people", command, "--help").stdout
        assert "--note" not in help_text and "--end-date" not in help_text
        assert "--team" not in help_text and "--start " not in help_text
        assert f"people {command} [OPTIONS] PERSON" in help_text
    assert "YYYY-MM-DD" in invoke(url, "people", "update", "--help").stdout
