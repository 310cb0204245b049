"""``seed-exported`` has a lifecycle: a seed shown to an operator is their exposure, a
finding only while someone leaving or departed holds the current seed; re-enrolment clears it."""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.engine import Connection

from accessguard.db import tables
from accessguard.reports.findings.credentials import seed_findings
from support import rows
from support.findings import context


def _seen(conn: Connection, person: int, key: int, version: int, kind: str = "seed-shown") -> None:
    conn.execute(
        insert(tables.exposures).values(
            person_id=person, totp_key_id=key, kind=kind, field="totp_seed", version=version,
            occurred_at=rows.NOW,
        )
    )  # fmt: skip


def _exported(conn: Connection) -> list[str | None]:
    return [f.person for f in seed_findings(context(conn)) if f.kind == "seed-exported"]


def test_seed_shown_to_an_active_operator_is_no_finding(conn: Connection) -> None:
    key = rows.totp_key(conn, rows.account(conn, "brand", "x"))
    _seen(conn, rows.person(conn, "op@example.com"), key, 1)
    assert _exported(conn) == []


def test_seed_shown_to_a_person_who_is_leaving_is_high(conn: Connection) -> None:
    key = rows.totp_key(conn, rows.account(conn, "brand", "x"))
    _seen(conn, rows.person(conn, "ann@example.com", status="leaving"), key, 1)
    findings = [f for f in seed_findings(context(conn)) if f.kind == "seed-exported"]
    assert [(f.person, f.severity.label) for f in findings] == [("ann@example.com", "high")]


def test_seed_pasted_by_a_departed_person_is_high(conn: Connection) -> None:
    key = rows.totp_key(conn, rows.account(conn, "brand", "x"))
    _seen(conn, rows.person(conn, "ann@example.com", status="departed"), key, 1, "seed-pasted")
    assert _exported(conn) == ["ann@example.com"]


def test_a_code_is_not_the_seed(conn: Connection) -> None:
    key = rows.totp_key(conn, rows.account(conn, "brand", "x"))
    ann = rows.person(conn, "ann@example.com", status="departed")
    conn.execute(
        insert(tables.exposures).values(
            person_id=ann, totp_key_id=key, kind="totp-code", field="totp_code", version=1,
            occurred_at=rows.NOW,
        )
    )  # fmt: skip
    assert _exported(conn) == []


def test_a_pending_seed_seen_by_a_leaver_is_high(conn: Connection) -> None:
    account = rows.account(conn, "brand", "x")
    key = rows.totp_key(conn, account, pending_generation=2, pending_key_name="k2")
    _seen(conn, rows.person(conn, "ann@example.com", status="leaving"), key, 2)
    assert _exported(conn) == ["ann@example.com"]


def test_re_enrolment_clears_the_finding(conn: Connection) -> None:
    key = rows.totp_key(conn, rows.account(conn, "brand", "x"))
    _seen(conn, rows.person(conn, "ann@example.com", status="departed"), key, 1)
    conn.execute(update(tables.totp_keys).values(generation=2))
    assert _exported(conn) == []


def test_one_finding_per_account_whoever_holds_the_seed(conn: Connection) -> None:
    """Finding ids are stable (kind:account): two leavers and an old export make one finding."""
    key = rows.totp_key(conn, rows.account(conn, "brand", "x"), exported=True)
    _seen(conn, rows.person(conn, "ann@example.com", status="leaving"), key, 1)
    _seen(conn, rows.person(conn, "bob@example.com", status="departed"), key, 1)
    findings = [f for f in seed_findings(context(conn)) if f.kind == "seed-exported"]
    assert [f.subject_id for f in findings] == ["brand"]
    assert "ann@example.com (leaving)" in findings[0].message
    assert "bob@example.com (departed)" in findings[0].message
