"""Inventory commands end to end on SQLite and PostgreSQL: JSON shapes, errors, imports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.imports import loads_the_orm, run_cli_importing
from support.inventory import PEOPLE_HEADER, counts, invoke, invoke_json, seed, write_csv


@pytest.fixture
def url(database_url: str, tmp_path: Path) -> str:
    seed(database_url, tmp_path)
    return database_url


def _pairs(data: dict) -> set[tuple[str, str, str]]:
    return {(g["person"], g["account"], g["role"]) for g in data["grants"]}


def test_who_has_and_holdings_list_exactly_the_active_grants(url: str) -> None:
    data = invoke_json(url, "who-has", "brand-x")
    assert data["account"] == "brand-x" and data["history"] is False
    assert _pairs(data) == {
        ("ann@example.com", "brand-x", "full-control"),
        ("bob@example.com", "brand-x", "full-control"),
    }
    assert all(g["active"] and g["revoked_at"] is None for g in data["grants"])
    assert _pairs(invoke_json(url, "holdings", "ann@example.com")) == {
        ("ann@example.com", "brand-x", "full-control"),
        ("ann@example.com", "brand-ig", "admin"),
    }
    # accounts can be named by platform:handle too
    assert _pairs(invoke_json(url, "who-has", "x:BrandX")) == _pairs(data)

    result = invoke(url, "revoke", "bob@example.com", "brand-x", "--reason", "moved to sales")
    assert result.exit_code == 0, result.stderr
    assert "revoked full-control" in result.stderr

    assert _pairs(invoke_json(url, "who-has", "brand-x")) == {
        ("ann@example.com", "brand-x", "full-control")
    }
    assert invoke_json(url, "holdings", "bob@example.com")["grants"] == []
    (past,) = invoke_json(url, "holdings", "bob@example.com", "--history")["grants"]
    assert past["active"] is False and past["revoke_reason"] == "moved to sales"
    assert past["revoked_by"] == "tester@example.com"
    history = invoke_json(url, "who-has", "brand-x", "--history")
    assert len(history["grants"]) == 2

    again = invoke(url, "revoke", "bob@example.com", "brand-x", "--reason", "again")
    assert again.exit_code == 0 and "holds no active grant" in again.stderr


@pytest.mark.parametrize(
    ("args", "key"),
    [(("who-has", "brand-x"), "account"), (("holdings", "ann@example.com"), "person")],
)
def test_who_has_and_holdings_answer_without_loading_the_orm(
    url: str, args: tuple[str, ...], key: str
) -> None:
    run = run_cli_importing("--db", url, *args, "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data[key] == args[1] and len(data["grants"]) == 2
    assert "sqlalchemy.engine" in run.imported and not loads_the_orm(run)


def test_tables_are_the_default(url: str) -> None:
    result = invoke(url, "who-has", "brand-ig")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("brand-ig (instagram:brand)")
    assert lines[1].split()[:3] == ["PERSON", "PERSON_STATUS", "ROLE"]
    assert any(line.startswith("cy@agency.example") for line in lines)
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("who-has", "nope"), "error: no account 'nope'"),
        (("holdings", "nobody@example.com"), "error: no person with email 'nobody@example.com'"),
        (("accounts", "show", "x:nobody"), "error: no account 'x:nobody'"),
        (("people", "show", "nobody@example.com"), "error: no person"),
        (
            ("grant", "nobody@example.com", "brand-x", "--role", "a", "--via", "shared-login"),
            "error: no person",
        ),
        (
            ("grant", "ann@example.com", "nope", "--role", "a", "--via", "shared-login"),
            "error: no account 'nope'",
        ),
        (("revoke", "ann@example.com", "nope", "--reason", "r"), "error: no account 'nope'"),
        (
            (
                "grant",
                "ann@example.com",
                "brand-x",
                "--role",
                "a",
                "--via",
                "shared-login",
                "--expires",
                "soon",
            ),
            "error: --until: 'soon' is not a date",
        ),
    ],
)
def test_unknown_people_and_accounts_are_one_line_errors(
    url: str, args: tuple[str, ...], message: str
) -> None:
    before = counts(url)
    result = invoke(url, *args)
    assert result.exit_code in (1, 2)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith(message)
    assert len(lines) <= 2 and all(not line or line.startswith("hint: ") for line in lines[1:])
    assert "Traceback" not in result.output
    assert counts(url) == before


def _hr_feed(tmp_path: Path, *, bob_end_date: str) -> Path:
    """An HR feed adding Dee and Bob; Bob's end date is the part each test varies."""
    return write_csv(
        tmp_path / "hr.csv",
        PEOPLE_HEADER,
        [
            ("dee@example.com", "Dee", "Social", "ann@example.com", None, None, None),
            (
                "bob@example.com",
                "Bob Editor",
                "Social",
                "ann@example.com",
                None,
                None,
                bob_end_date,
            ),
        ],
    )


def test_people_import_with_a_bad_row_writes_nothing(url: str, tmp_path: Path) -> None:
    feed = _hr_feed(tmp_path, bob_end_date="31/12/2026")
    before = counts(url)
    result = invoke(url, "people", "import", str(feed))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"error: {feed}:3:end_date: '31/12/2026' is not a date (YYYY-MM-DD)"
    )
    assert counts(url) == before


def test_people_import_prints_what_changed_and_dry_run_writes_nothing(
    url: str, tmp_path: Path
) -> None:
    feed = _hr_feed(tmp_path, bob_end_date="2099-12-31")
    before = counts(url)
    dry = invoke(url, "people", "import", "--dry-run", str(feed))
    assert dry.exit_code == 0
    assert counts(url) == before
    assert "dry run: nothing written" in dry.stderr
    assert dry.stdout.splitlines() == [
        "add person dee@example.com (name=Dee, department=Social, manager=ann@example.com, "
        "kind=employee, status=active)",
        "update person bob@example.com: status active -> leaving; "
        "end_date - -> 2099-12-31 [leaver]",
    ]
    result = invoke_json(url, "people", "import", str(feed))
    assert result["counts"] == {
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "leaving": 1,
        "rehired": 0,
        "refused": 0,
    }
    changes = result["changes"]
    assert [(c["action"], c["target"], c["note"]) for c in changes] == [
        ("add", "dee@example.com", None),
        ("update", "bob@example.com", "leaver"),
    ]
    assert invoke_json(url, "people", "show", "bob@example.com")["status"] == "leaving"


def test_accounts_add_show_and_list(url: str) -> None:
    result = invoke(
        url,
        "accounts",
        "add",
        "brand-yt",
        "--platform",
        "youtube",
        "--handle",
        "@brand",
        "--owner",
        "ANN@example.com",
        "--criticality",
        "high",
        "--recovery-email",
        "brand@gmail.example",
        "--recovery-phone",
        "+44 7700 900123",
        "--setting",
        "channel_id=UC123",
        "--setting",
        "note=a=b",
        "--tag",
        "video",
        "--tag",
        "brand",
    )
    assert result.exit_code == 0, result.stderr
    shown = invoke_json(url, "accounts", "show", "youtube:@brand")
    assert shown["owner"] == "ann@example.com"
    assert shown["settings"] == {"channel_id": "UC123", "note": "a=b"}
    assert shown["tags"] == ["brand", "video"]
    assert shown["recovery_email_company"] is False
    assert shown["grants"] == []
    names = [a["name"] for a in invoke_json(url, "accounts", "list")]
    assert names == ["brand-ig", "brand-x", "brand-yt"]
    assert [a["name"] for a in invoke_json(url, "accounts", "list", "--platform", "x")] == [
        "brand-x"
    ]
    bad = invoke(url, "accounts", "add", "b2", "--platform", "x", "--handle", "h", "--setting", "x")
    assert bad.exit_code == 2 and "KEY=VALUE" in bad.stderr
    dup = invoke(url, "accounts", "add", "brand-x", "--platform", "x", "--handle", "other")
    assert dup.exit_code == 1 and dup.stderr.startswith("error: an account named 'brand-x'")


def test_accounts_import_and_import_grants(url: str, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(
        "name,platform,handle,owner,tags,settings\n"
        'brand-tt,tiktok,brandtt,ann@example.com,brand;video,"{""bc_id"": ""7""}"\n',
        encoding="utf-8",
    )
    (added,) = invoke_json(url, "accounts", "import", str(accounts))
    assert added["action"] == "add" and added["target"] == "brand-tt"
    grants = tmp_path / "grants.csv"
    grants.write_text(
        "person,account,role,via\n"
        "bob@example.com,brand-tt,admin,platform-role\n"
        "cy@agency.example,tiktok:brandtt,analyst,platform-role\n",
        encoding="utf-8",
    )
    dry = invoke(url, "accounts", "import-grants", "--dry-run", str(grants))
    assert dry.exit_code == 0 and len(dry.stdout.splitlines()) == 2
    assert invoke_json(url, "who-has", "brand-tt")["grants"] == []
    assert len(invoke_json(url, "accounts", "import-grants", str(grants))) == 2
    assert _pairs(invoke_json(url, "who-has", "brand-tt")) == {
        ("bob@example.com", "brand-tt", "admin"),
        ("cy@agency.example", "brand-tt", "analyst"),
    }
    assert invoke_json(url, "accounts", "import-grants", str(grants)) == []


@pytest.mark.parametrize(
    "args",
    [
        ("people", "list", "--json"),
        ("people", "show", "ann@example.com", "--json"),
        ("people", "add", "new@example.com", "--name", "New"),
        ("people", "leave", "ann@example.com", "--on", "2026-12-01"),
        ("accounts", "list", "--json"),
        ("accounts", "show", "brand-x", "--json"),
        ("accounts", "add", "brand-new", "--platform", "x", "--handle", "new", "--json"),
        ("grant", "ann@example.com", "brand-x", "--role", "editor", "--via", "suite-seat"),
        ("audit", "log", "--json"),
        ("audit", "verify", "--json"),
    ],
)
def test_inventory_and_audit_commands_never_load_the_orm(
    sqlite_url: str, tmp_path: Path, args: tuple[str, ...]
) -> None:
    seed(sqlite_url, tmp_path)
    run = run_cli_importing("--db", sqlite_url, *args)
    assert run.returncode == 0, run.stderr
    assert "sqlalchemy.engine" in run.imported
    assert not loads_the_orm(run)


def test_revoke_is_a_run_and_keeps_an_admin_unless_forced(url: str) -> None:
    granted = invoke(url, "grant", "cy@agency.example", "brand-x", "--role", "admin",
                     "--via", "platform-role")  # fmt: skip
    assert granted.exit_code == 0, granted.stderr
    dry = invoke_json(url, "revoke", "cy@agency.example", "brand-x", "--reason", "r", "--dry-run")
    assert dry["plan"]["playbook"] == "revoke" and dry["plan"]["item_count"] == 1

    refused = invoke(url, "revoke", "cy@agency.example", "brand-x", "--reason", "contract ended")
    assert refused.exit_code == 1 and "no active admin or owner" in refused.stderr
    assert invoke_json(url, "runs", "list") == []
    assert ("cy@agency.example", "brand-x", "admin") in _pairs(
        invoke_json(url, "who-has", "brand-x")
    )

    forced = invoke(url, "revoke", "cy@agency.example", "brand-x", "--reason", "contract ended",
                    "--force")  # fmt: skip
    assert forced.exit_code == 0, forced.stderr
    (run,) = invoke_json(url, "runs", "list")
    assert run["playbook"] == "revoke" and run["subject"] == "cy@agency.example"
    assert run["status"] == "completed"
    assert ("cy@agency.example", "brand-x", "admin") not in _pairs(
        invoke_json(url, "who-has", "brand-x")
    )
