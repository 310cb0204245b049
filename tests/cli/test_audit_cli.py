"""`audit log | verify | export` on SQLite and PostgreSQL, including tampering with raw SQL."""

from __future__ import annotations

import itertools
import json
import stat
from pathlib import Path

import pytest

from support.inventory import counts, execute, invoke, invoke_json, seed


@pytest.fixture
def url(database_url: str, tmp_path: Path) -> str:
    seed(database_url, tmp_path)  # 3 people + 2 accounts + 4 grants = 9 events
    return database_url


def _dialect(url: str) -> str:
    return url.split(":", 1)[0].split("+", 1)[0]


def _edit_details(url: str) -> None:
    cast = "CAST(:v AS JSON)" if _dialect(url) == "postgresql" else ":v"
    execute(
        url,
        f"UPDATE audit_events SET details = {cast} WHERE seq = 4",
        v=json.dumps({"after": {"name": "brand-x", "owner": "mallory@example.com"}}),
    )


def _swap_contents(url: str) -> None:
    """Reorder: events 5 and 6 trade places (each keeps its own hashes)."""
    execute(
        url,
        "UPDATE audit_events SET seq = -1 WHERE seq = 5",
        "UPDATE audit_events SET seq = 5 WHERE seq = 6",
        "UPDATE audit_events SET seq = 6 WHERE seq = -1",
    )


TAMPERING = {
    "edited": (_edit_details, 4, "event 4 was edited"),
    "edited-actor": (
        lambda url: execute(url, "UPDATE audit_events SET actor = 'nobody' WHERE seq = 2"),
        2,
        "event 2 was edited",
    ),
    "removed": (
        lambda url: execute(url, "DELETE FROM audit_events WHERE seq = 3"),
        3,
        "event 3 is missing",
    ),
    "reordered": (_swap_contents, 5, "event 5 does not follow event 4"),
    "last-removed": (
        lambda url: execute(url, "DELETE FROM audit_events WHERE seq = 9"),
        9,
        "events removed from the end",
    ),
}


def test_verify_passes_on_a_clean_trail(url: str) -> None:
    result = invoke(url, "audit", "verify")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("audit trail intact: 9 event(s)")
    data = invoke_json(url, "audit", "verify")
    assert data["ok"] is True and data["checked"] == 9 and data["bad_seq"] is None


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_verify_fails_naming_the_first_bad_event(url: str, case: str) -> None:
    tamper, bad_seq, problem = TAMPERING[case]
    tamper(url)
    result = invoke(url, "audit", "verify")
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"error: audit trail broken at event {bad_seq}: ")
    assert problem in first
    assert "Traceback" not in result.output
    as_json = invoke(url, "audit", "verify", "--json")
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    assert data["ok"] is False and data["bad_seq"] == bad_seq and problem in data["problem"]


def test_log_shows_events_in_chain_order(url: str) -> None:
    events = invoke_json(url, "audit", "log")
    assert [e["seq"] for e in events] == list(range(1, 10))
    assert [e["action"] for e in events[:4]] == [
        "person.add",
        "person.add",
        "person.add",
        "account.add",
    ]
    assert events[-1]["action"] == "grant.add"
    assert events[-1]["target"] == "cy@agency.example@brand-ig"
    assert set(events[0]) == {
        "seq",
        "occurred_at",
        "actor",
        "action",
        "target_type",
        "target",
        "run_id",
        "details",
        "prev_hash",
        "hash",
        "hash_key",
        "vault_name",
        "vault_entity",
        "os_user",
    }
    assert [e["seq"] for e in invoke_json(url, "audit", "log", "--limit", "2")] == [8, 9]
    assert invoke_json(url, "audit", "log", "--since", "2999-01-01") == []
    assert len(invoke_json(url, "audit", "log", "--since", "2000-01-01T00:00:00Z")) == 9
    table = invoke(url, "audit", "log", "--limit", "1")
    assert table.stdout.splitlines()[0].split()[:4] == ["SEQ", "TIME", "ACTOR", "ACTION"]
    bad = invoke(url, "audit", "log", "--since", "yesterday")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: --since: 'yesterday'")


def test_export_writes_one_private_json_line_per_event(url: str, tmp_path: Path) -> None:
    out = tmp_path / "siem" / "audit.jsonl"
    out.parent.mkdir()  # --out writes into a folder that exists (test_first_hour.py)
    result = invoke(url, "audit", "export", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == counts(url)["audit_events"] == 9
    events = [json.loads(line) for line in lines]
    assert [e["seq"] for e in events] == list(range(1, 10))
    assert all(e["prev_hash"] == p["hash"] for p, e in itertools.pairwise(events))
    assert events == invoke_json(url, "audit", "log")

    out.chmod(0o644)  # a re-export over a loose file tightens it
    assert invoke(url, "audit", "export", "--out", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600

    piped = invoke(url, "audit", "export", "--out", "-", "--since", "2999-01-01")
    assert piped.exit_code == 0 and piped.stdout == ""
