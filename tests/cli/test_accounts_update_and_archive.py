"""`accounts update`, `accounts archive`, case-insensitive account names (issue 19).

Outcomes are read back through `accounts show --json`, `accounts list`, `who-has` and
the audit log; refusals are one `error:` line and change nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accessguard.app import App
from accessguard.config import load_settings
from accessguard.reconcile.records import accounts_in_scope
from support.inventory import counts, execute, invoke, invoke_json, seed, write_csv


@pytest.fixture
def url(sqlite_url: str, tmp_path: Path) -> str:
    seed(sqlite_url, tmp_path)
    return sqlite_url


def _account(url: str, name: str) -> dict:
    return invoke_json(url, "accounts", "show", name)


def _changes(out: dict) -> dict[str, list]:
    """A printed change's records as {field: [before, after]}."""
    return {c["field"]: [c["before"], c["after"]] for c in out["changes"]}


def _audit(url: str, action: str) -> list[dict]:
    return [e for e in invoke_json(url, "audit", "log") if e["action"] == action]


def _refused(url: str, *args: str, message: str) -> str:
    """Run a command that must fail with one error line naming ``message``, changing nothing."""
    before = (counts(url), _account(url, "brand-x"), _account(url, "brand-ig"))
    result = invoke(url, *args)
    assert result.exit_code in (1, 2), result.stderr
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if not line.startswith("hint:")]
    assert len(errors) == 1 and errors[0].startswith("error: "), result.stderr
    assert message in result.stderr, result.stderr
    assert (counts(url), _account(url, "brand-x"), _account(url, "brand-ig")) == before
    return result.stderr


def test_update_changes_fields_and_audits_the_reason(url: str) -> None:
    out = invoke_json(
        url,
        "accounts",
        "update",
        "BRAND-X",
        "--display-name",
        "Brand X",
        "--owner",
        "bob@example.com",
        "--criticality",
        "high",
        "--recovery-email",
        "social@example.com",
        "--tag",
        "EMEA",
        "--connector",
        "manual",
        "--setting",
        "channel=#social",
        "--reason",
        "new owner",
    )
    assert out["account"] == "brand-x" and out["dry_run"] is False
    assert _changes(out)["owner"] == [None, "bob@example.com"]
    shown = _account(url, "brand-x")
    assert shown["display_name"] == "Brand X" and shown["owner"] == "bob@example.com"
    assert shown["criticality"] == "high" and shown["tags"] == ["emea"]
    assert shown["recovery_email"] == "social@example.com"
    assert shown["connector"] == "manual" and shown["settings"] == {"channel": "#social"}
    (event,) = _audit(url, "account.update")
    assert event["target"] == "brand-x" and event["details"]["reason"] == "new owner"
    # settings merge and unset; tags removed; "" clears
    out = invoke_json(
        url,
        "accounts",
        "update",
        "brand-x",
        "--setting",
        "team=brand",
        "--unset-setting",
        "channel",
        "--untag",
        "emea",
        "--display-name",
        "",
    )
    shown = _account(url, "brand-x")
    assert shown["settings"] == {"team": "brand"} and shown["tags"] == []
    assert shown["display_name"] is None


def test_update_dry_run_prints_the_changes_and_writes_nothing(url: str) -> None:
    before, shown = counts(url), _account(url, "brand-x")
    result = invoke(url, "accounts", "update", "brand-x", "--handle", "BrandX2", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "handle: BrandX -> BrandX2\n"
    assert "dry run: nothing written" in result.stderr
    assert counts(url) == before and _account(url, "brand-x") == shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--connector", "bogus"), "--connector: unknown connector 'bogus'"),
        (("--connector", "pinterest"), "--setting:"),  # pinterest needs its settings
        (("--setting", "novalue"), "is not KEY=VALUE"),
        (("--owner", "nobody@example.com"), "no person with email 'nobody@example.com'"),
        (("--recovery-email", "nope"), "recovery_email: 'nope' is not a valid email"),
        (("--handle", "taken"), "x:taken is already account other-x"),
        (("--handle", ""), "--handle: must not be empty"),
    ],
)
def test_update_refuses_what_add_refuses(url: str, args: tuple[str, ...], message: str) -> None:
    invoke_json(url, "accounts", "add", "other-x", "--platform", "x", "--handle", "taken")
    _refused(url, "accounts", "update", "brand-x", *args, message=message)


def test_archive_is_refused_while_grants_are_active_and_says_how(url: str) -> None:
    stderr = _refused(
        url, "accounts", "archive", "brand-x", message="brand-x still has active grants"
    )
    assert "ann@example.com, bob@example.com" in stderr
    assert "accessguard revoke PERSON brand-x --reason" in stderr


def _end_grants_on_brand_x(url: str) -> None:
    for person in ("ann@example.com", "bob@example.com"):
        result = invoke(url, "revoke", person, "brand-x", "--reason", "account retired")
        assert result.exit_code == 0, result.stderr


def test_archive_keeps_history_and_takes_the_account_out_of_service(
    url: str, tmp_path: Path
) -> None:
    _end_grants_on_brand_x(url)
    before = counts(url)
    dry = invoke(url, "accounts", "archive", "brand-x", "--dry-run", "--json")
    assert dry.exit_code == 0 and json.loads(dry.stdout)["dry_run"] is True
    assert counts(url) == before and _account(url, "brand-x")["archived_at"] is None

    out = invoke_json(url, "accounts", "archive", "Brand-X", "--reason", "brand retired")
    assert out["changed"] is True and out["account"]["archived_at"].startswith("2026-")
    (event,) = _audit(url, "account.archive")
    assert event["target"] == "brand-x" and event["details"]["reason"] == "brand retired"
    # history kept: the account, its ended grants and their audit trail
    assert _account(url, "brand-x")["archived_at"] == out["account"]["archived_at"]
    history = invoke_json(url, "who-has", "brand-x", "--history")["grants"]
    assert {g["person"] for g in history} == {"ann@example.com", "bob@example.com"}
    assert len(_audit(url, "grant.revoke")) == 2
    # hidden from lists unless asked
    assert [a["name"] for a in invoke_json(url, "accounts", "list")] == ["brand-ig"]
    listed = invoke_json(url, "accounts", "list", "--archived")
    assert [a["name"] for a in listed] == ["brand-ig", "brand-x"]
    # takes no new grant, by command or by import
    grant = ("grant", "bob@example.com", "brand-x", "--role", "editor", "--via", "shared-login")
    _refused(url, *grant, message="brand-x is archived")
    grants_csv = write_csv(
        tmp_path / "grants.csv",
        ("person", "account", "role", "via"),
        [("bob@example.com", "brand-x", "editor", "shared-login")],
    )
    _refused(
        url,
        "accounts",
        "import-grants",
        str(grants_csv),
        message="grants.csv:2:account: brand-x is archived (takes no new grants)",
    )
    # not changed by update or import
    _refused(url, "accounts", "update", "brand-x", "--handle", "Z", message="is archived")
    accounts_csv = write_csv(
        tmp_path / "accounts.csv", ("name", "platform", "handle"), [("brand-x", "x", "Other")]
    )
    _refused(url, "accounts", "import", str(accounts_csv), message="brand-x is archived")
    # skipped by reconcile
    app = App(settings=load_settings(overrides={"database.url": url}))
    try:
        with app.begin() as conn:
            assert [a.name for a in accounts_in_scope(conn, None, platform=None)] == ["brand-ig"]
            assert accounts_in_scope(conn, None, platform="x") == []
    finally:
        app.engine.dispose()
    # archiving again changes nothing
    again = invoke_json(url, "accounts", "archive", "brand-x")
    assert again["changed"] is False
    assert len(_audit(url, "account.archive")) == 1


def test_unarchive_puts_an_account_back_in_service(url: str) -> None:
    _end_grants_on_brand_x(url)
    invoke_json(url, "accounts", "archive", "brand-x")
    before = counts(url)
    dry = invoke_json(url, "accounts", "unarchive", "brand-x", "--dry-run")
    assert dry["dry_run"] is True and dry["changed"] is True
    assert counts(url) == before and _account(url, "brand-x")["archived_at"] is not None
    out = invoke_json(url, "accounts", "unarchive", "brand-x", "--reason", "archived by mistake")
    assert out["changed"] is True and out["account"]["archived_at"] is None
    assert [a["name"] for a in invoke_json(url, "accounts", "list")] == ["brand-ig", "brand-x"]
    grant = ("grant", "bob@example.com", "brand-x", "--role", "editor", "--via", "shared-login")
    assert invoke(url, *grant).exit_code == 0
    event = _audit(url, "account.update")[-1]
    assert event["details"]["reason"] == "archived by mistake"
    assert event["details"]["changes"]["archived_at"][1] is None
    again = invoke_json(url, "accounts", "unarchive", "brand-x")
    assert again["changed"] is False
    assert len(_audit(url, "account.update")) == 1


def test_account_names_are_case_insensitive(database_url: str, tmp_path: Path) -> None:
    url = database_url
    seed(url, tmp_path)
    assert invoke_json(url, "who-has", "BRAND-X")["account"] == "brand-x"
    assert invoke_json(url, "accounts", "show", "X:brandx")["name"] == "brand-x"
    added = invoke_json(url, "accounts", "add", "NW-X", "--platform", "x", "--handle", "nwx")
    assert added["name"] == "nw-x"
    assert invoke_json(url, "who-has", "nw-X")["account"] == "nw-x"
    _refused(
        url,
        "accounts",
        "add",
        "Brand-X",
        "--platform",
        "x",
        "--handle",
        "other",
        message="an account named 'brand-x' already exists",
    )
    two = write_csv(
        tmp_path / "two.csv",
        ("name", "platform", "handle"),
        [("nw-y", "x", "y1"), ("NW-Y", "x", "y2")],
    )
    _refused(url, "accounts", "import", str(two), message="nw-y already appears on row")
    upper = write_csv(
        tmp_path / "upper.csv",
        ("name", "platform", "handle", "display_name"),
        [("BRAND-X", "x", "BrandX", "Brand X")],
    )
    changes = invoke_json(url, "accounts", "import", str(upper))
    assert [(c["action"], c["target"]) for c in changes] == [("update", "brand-x")]
    grants = write_csv(
        tmp_path / "grants.csv",
        ("person", "account", "role", "via"),
        [("bob@example.com", "Brand-IG", "analyst", "platform-role")],
    )
    assert len(invoke_json(url, "accounts", "import-grants", str(grants))) == 1
    assert "bob@example.com" in {
        g["person"] for g in invoke_json(url, "who-has", "brand-ig")["grants"]
    }


def test_a_name_stored_in_another_case_is_found_and_blocks_its_twin(
    database_url: str, tmp_path: Path
) -> None:
    """Rows written before names were normalised (or by hand) are still one name, any case."""
    url = database_url
    seed(url, tmp_path)
    execute(url, "UPDATE accounts SET name = 'Brand-X' WHERE name = 'brand-x'")
    assert invoke_json(url, "who-has", "brand-x")["account"] == "Brand-X"
    assert invoke_json(url, "accounts", "show", "BRAND-X")["name"] == "Brand-X"
    _refused(
        url,
        "accounts",
        "add",
        "brand-x",
        "--platform",
        "x",
        "--handle",
        "other",
        message="an account named 'brand-x' already exists",
    )
    twin = write_csv(
        tmp_path / "twin.csv", ("name", "platform", "handle"), [("brand-x", "x", "another")]
    )
    before = counts(url)["accounts"]
    changes = invoke_json(url, "accounts", "import", str(twin))
    assert [(c["action"], c["target"]) for c in changes] == [("update", "brand-x")]
    assert counts(url)["accounts"] == before  # the same account, not a twin
    assert invoke_json(url, "accounts", "show", "brand-x")["handle"] == "another"


def test_unknown_account_gets_a_did_you_mean_hint(url: str, tmp_path: Path) -> None:
    stderr = _refused(url, "who-has", "brand-xx", message="no account 'brand-xx'")
    assert 'hint: did you mean "brand-x"' in stderr
    grants = write_csv(
        tmp_path / "grants.csv",
        ("person", "account", "role", "via"),
        [("bob@example.com", "brandig", "analyst", "platform-role")],
    )
    stderr = _refused(url, "accounts", "import-grants", str(grants), message="unknown account")
    assert "did you mean 'brand-ig'?" in stderr


def test_grant_until_and_hidden_expires_alias(url: str) -> None:
    args = ("grant", "bob@example.com", "brand-ig", "--role", "analyst", "--via", "platform-role")
    out = invoke_json(url, *args, "--until", "2027-01-31", "--note", "campaign")
    assert out["expires_at"].startswith("2027-01-31") and out["reason"] == "campaign"
    other = invoke_json(url, *args[:4], "editor", *args[5:], "--expires", "2027-02-28")
    assert other["expires_at"].startswith("2027-02-28")
    help_text = invoke(url, "grant", "--help").stdout
    assert "--until YYYY-MM-DD" in help_text and "--reason TEXT" in help_text
    assert "--expires" not in help_text and "--note" not in help_text
