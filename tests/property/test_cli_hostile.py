"""Hostile input through the CLI: exit 1 or 2, one `error:` line on stderr, no traceback.

A few representative cases on SQLite and PostgreSQL (where the database itself refuses
NUL bytes and over-long values), plus a short property over `people add` arguments.
Rejected input changes nothing: the audit trail stays as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from accessguard.cli.main import cli
from support.hostile import FAST

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


def run(url: str, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--db", url, *args], input=input, catch_exceptions=False)


def assert_refused(result: Result, codes: tuple[int, ...] = (1, 2)) -> None:
    """Exit 1/2, stderr is `error: ...` (plus an optional `hint: ...`), no traceback."""
    assert result.exit_code in codes, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert lines and lines[0].startswith("error: "), result.stderr
    assert all(line.startswith("hint: ") for line in lines[1:]), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "unexpected" not in lines[0], result.stderr


def audit_count(url: str) -> int:
    import json

    return len(json.loads(run(url, "audit", "log", "--limit", "100000", "--json").stdout))


@pytest.fixture
def url(database_url: str) -> str:
    """A migrated database with one person and one account."""
    assert run(database_url, "people", "add", "ann@example.com", "--name", "Ann").exit_code == 0
    assert (
        run(
            database_url, "accounts", "add", "brand-x", "--platform", "x", "--handle", "@b"
        ).exit_code
        == 0
    )
    return database_url


def _files(tmp: Path) -> dict[str, Path]:
    files = {
        "nul.csv": "email,name,department,manager,kind,status,end_date\nn@example.com,N\x00,,,,,\n",
        "long.csv": f"email,name,department,manager,kind,status,end_date\nn@example.com,{'x' * 300},,,,,\n",
        "bomb.yaml": BOMB,
        "keys.yaml": "? [a, b]\n: 1\n",
        "date.yaml": "name: !!timestamp 2020-99-99\n",
    }
    out = {}
    for name, text in files.items():
        (tmp / name).write_text(text, encoding="utf-8")
        out[name] = tmp / name
    (tmp / "latin1.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    out["latin1.yaml"] = tmp / "latin1.yaml"
    return out


def test_hostile_arguments_and_files(url: str, tmp_path: Path) -> None:
    files = _files(tmp_path)
    before = audit_count(url)
    cases = [
        ("accounts", "add", "../../sys/policy/root", "--platform", "x", "--handle", "h"),
        ("accounts", "add", "brand-y\n/..", "--platform", "x", "--handle", "h2"),
        ("accounts", "add", "brand-z", "--platform", "x", "--handle", "h\x00"),
        ("people", "add", "b@example.com", "--name", "x" * 500),
        ("people", "add", "c@example.com", "--name", "caf\udce9"),  # undecodable argv byte
        ("grant", "ann@example.com", "brand-x", "--role", "r\x00", "--via", "shared-login"),
        (
            "grant",
            "ann@example.com",
            "brand-x",
            "--role",
            "r",
            "--via",
            "shared-login",
            "--expires",
            "0001-01-01T00:00:00+01:00",
        ),
        ("people", "import", str(files["nul.csv"])),
        ("people", "import", str(files["long.csv"])),
        ("playbooks", "validate", str(files["bomb.yaml"])),
        ("playbooks", "validate", str(files["keys.yaml"])),
        ("playbooks", "validate", str(files["date.yaml"])),
        ("playbooks", "validate", str(files["latin1.yaml"])),
        ("offboard", "ann@example.com", "--playbook", str(files["bomb.yaml"]), "--dry-run"),
        ("creds", "reveal", "../brand-x", "--reason", "x"),
        ("who-has", "../../etc/passwd"),
    ]
    for args in cases:
        assert_refused(run(url, *args))
    assert audit_count(url) == before


@FAST
@given(
    email=st.text(max_size=40) | st.emails(),
    name=st.text(max_size=250),
    department=st.none() | st.text(max_size=130),
)
def test_people_add_arguments(
    sqlite_url: str, email: str, name: str, department: str | None
) -> None:
    args = ["people", "add", "--name", name]
    if department is not None:
        args += ["--department", department]
    args += ["--", email]  # an email such as "-0" is an argument, not an option
    result = run(sqlite_url, *args)
    if result.exit_code != 0:
        assert_refused(result)
