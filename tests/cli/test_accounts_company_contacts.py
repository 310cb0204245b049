"""`accounts add`, `import` and `update` judge recovery contacts by the company's settings.

The company's email domains and phone prefixes come from the config (here the
environment); each of the three commands hands them to the inventory, so a recovery
email or phone inside them is marked the company's and one outside is not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.inventory import invoke, invoke_json, seed, write_csv

COMPANY = "brand@example.com"
OUTSIDE = "brand@gmail.example"


@pytest.fixture
def url(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ACCESSGUARD_COMPANY_DOMAINS", "example.com")
    monkeypatch.setenv("ACCESSGUARD_COMPANY_PHONE_PREFIXES", "+44")
    seed(database_url, tmp_path)
    return database_url


def _company_marks(url: str, account: str) -> tuple[object, object]:
    shown = invoke_json(url, "accounts", "show", account)
    return shown["recovery_email_company"], shown["recovery_phone_company"]


def test_add_marks_company_contacts(url: str) -> None:
    for name, mail, phone in (("in", COMPANY, "+44 7700 900123"), ("out", OUTSIDE, "+1 555 0100")):
        added = invoke(
            url, "accounts", "add", name, "--platform", "youtube", "--handle", f"@{name}",
            "--recovery-email", mail, "--recovery-phone", phone,
        )  # fmt: skip
        assert added.exit_code == 0, added.stderr
    assert _company_marks(url, "in") == (True, True)
    assert _company_marks(url, "out") == (False, False)


def test_import_marks_company_contacts(url: str, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "accounts.csv",
        ["name", "platform", "handle", "recovery_email", "recovery_phone"],
        [
            ["in", "youtube", "@in", COMPANY, "+44 7700 900123"],
            ["out", "youtube", "@out", OUTSIDE, "+1 555 0100"],
        ],
    )
    imported = invoke(url, "accounts", "import", str(path))
    assert imported.exit_code == 0, imported.stderr
    assert _company_marks(url, "in") == (True, True)
    assert _company_marks(url, "out") == (False, False)


def test_update_marks_company_contacts(url: str) -> None:
    added = invoke(url, "accounts", "add", "yt", "--platform", "youtube", "--handle", "@yt")
    assert added.exit_code == 0, added.stderr
    moved = invoke(url, "accounts", "update", "yt", "--recovery-email", COMPANY)
    assert moved.exit_code == 0, moved.stderr
    assert _company_marks(url, "yt")[0] is True
    away = invoke(url, "accounts", "update", "yt", "--recovery-email", OUTSIDE)
    assert away.exit_code == 0, away.stderr
    assert _company_marks(url, "yt")[0] is False
