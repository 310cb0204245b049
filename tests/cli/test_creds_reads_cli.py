"""The credential read commands go through the one door: Core statements, never the ORM."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.imports import loads_the_orm, run_cli_importing
from support.inventory import seed

READS = [("creds", "status"), ("totp", "status"), ("creds", "exposed", "ann@example.com")]


@pytest.fixture
def url(database_url: str, tmp_path: Path) -> str:
    seed(database_url, tmp_path)
    return database_url


@pytest.mark.parametrize("args", READS, ids=lambda args: "-".join(args[:2]))
def test_credential_reads_never_load_the_orm(url: str, args: tuple[str, ...]) -> None:
    run = run_cli_importing("--db", url, *args, "--json")
    assert run.returncode == 0, run.stderr
    assert not loads_the_orm(run)


def test_totp_status_lists_accounts_without_a_seed(url: str) -> None:
    run = run_cli_importing("--db", url, "totp", "status", "--json")
    assert {r["account"]: r["in_custody"] for r in json.loads(run.stdout)} == {
        "brand-ig": False,
        "brand-x": False,
    }


def test_exposed_for_a_person_without_access_is_empty(url: str) -> None:
    run = run_cli_importing("--db", url, "creds", "exposed", "cy@agency.example", "--json")
    assert json.loads(run.stdout) == {
        "person": "cy@agency.example",
        "credentials": [],
        "fields": [],
        "exported_seeds": [],
    }
