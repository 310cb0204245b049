"""Upgrading a database written by the 0005 schema keeps every inventory and audit row.

The rows are written with plain SQL as the 0005 schema stored them, not through
``db/tables/``, so the test still describes yesterday's database after the tables
change; the new code must then read them as they were.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from accessguard.audit.chain import verify
from accessguard.credentials.exposure import exported_seed_accounts, exposed_fields
from accessguard.db.engine import make_engine
from accessguard.db.migrate import current_revision, upgrade
from accessguard.inventory.grants import holdings, who_has
from accessguard.inventory.people import employment_history
from accessguard.inventory.records import get_person_record

#: The newest revision every existing database can be at before this code ships.
RELEASED_HEAD = "0005"
TABLES = ("people", "accounts", "grants", "audit_events", "audit_head")
T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no schema at all."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    postgres = request.getfixturevalue("postgres")
    name = f"old_{uuid.uuid4().hex[:12]}"
    postgres.execute(f"CREATE DATABASE {name}")
    return str(postgres.url(name))


def _stamp(engine: Engine, when: datetime) -> Any:
    """A datetime as the 0005 schema's UTC column stored it (SQLite keeps no zone)."""
    return when.replace(tzinfo=None) if engine.dialect.name == "sqlite" else when


def _write_released_rows(engine: Engine) -> None:
    t = _stamp(engine, T0)
    rows: dict[str, list[dict[str, Any]]] = {
        "people": [
            {
                "id": 1,
                "email": "ann@example.com",
                "name": "Ann",
                "department": "Brand",
                "manager_email": None,
                "kind": "employee",
                "status": "active",
                "end_date": None,
                "source": "manual",
                "created_at": t,
                "updated_at": t,
            },
            {
                "id": 2,
                "email": "bob@example.com",
                "name": "Bob",
                "department": None,
                "manager_email": "ann@example.com",
                "kind": "contractor",
                "status": "leaving",
                "end_date": date(2026, 12, 31),
                "source": "hr-import",
                "created_at": t,
                "updated_at": t,
            },
        ],
        "accounts": [
            {
                "id": 1,
                "name": "brand-x",
                "platform": "x",
                "handle": "@brand",
                "display_name": "Brand",
                "owner_id": 1,
                "criticality": "high",
                "recovery_email": "it@example.com",
                "recovery_email_company": True,
                "recovery_phone": None,
                "recovery_phone_company": None,
                "connector": "manual",
                "settings": '{"page_id": "123"}',
                "tags": '["social", "core"]',
                "created_at": t,
                "updated_at": t,
            },
        ],
        "grants": [
            {
                "id": 1,
                "person_id": 1,
                "account_id": 1,
                "role": "admin",
                "via": "platform-role",
                "granted_at": t,
                "granted_by": "it@example.com",
                "reason": "owner",
                "ticket": "T-1",
                "expires_at": None,
                "last_used_at": t,
                "revoked_at": None,
                "revoked_by": None,
                "revoke_reason": None,
                "revoked_run_id": None,
            },
            {
                "id": 2,
                "person_id": 2,
                "account_id": 1,
                "role": "editor",
                "via": "shared-login",
                "granted_at": t,
                "granted_by": "it@example.com",
                "reason": None,
                "ticket": None,
                "expires_at": t,
                "last_used_at": None,
                "revoked_at": t,
                "revoked_by": "it",
                "revoke_reason": "left",
                "revoked_run_id": "run-1",
            },
        ],
        "audit_events": [
            {
                "seq": 1,
                "occurred_at": t,
                "actor": "it@example.com",
                "action": "person.add",
                "target_type": "person",
                "target": "ann@example.com",
                "run_id": None,
                "details": '{"after": {"email": "ann@example.com"}}',
                "prev_hash": "0" * 64,
                "hash": "a" * 64,
            },
        ],
    }
    with engine.begin() as conn:
        for table, table_rows in rows.items():
            columns = list(table_rows[0])
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
            sql += f"({', '.join(':' + c for c in columns)})"
            conn.execute(text(sql), table_rows)
        conn.execute(text("UPDATE audit_head SET seq = 1, hash = :h WHERE id = 1"), {"h": "a" * 64})


def _dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the inventory and audit tables, in key order, as the driver reads it."""
    with engine.connect() as conn:
        return {
            table: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
            for table in TABLES
        }


def test_upgrade_from_the_released_schema_keeps_every_row(empty_url: str) -> None:
    engine = make_engine(empty_url)
    try:
        upgrade(engine, RELEASED_HEAD)
        _write_released_rows(engine)
        before = _dump(engine)

        upgrade(engine)

        assert current_revision(engine) is not None
        after = _dump(engine)
        # Columns added since (0006: audit identity) come last and are empty on old rows.
        pairs = {t: list(zip(rows, before[t], strict=True)) for t, rows in after.items()}
        assert {t: [row[: len(old)] for row, old in p] for t, p in pairs.items()} == before
        assert {v for p in pairs.values() for row, old in p for v in row[len(old) :]} <= {None}
        assert all(before[table] for table in TABLES)
        with engine.connect() as conn:
            bob = get_person_record(conn, "BOB@example.com")
            held = holdings(conn, "ann@example.com")
            history = who_has(conn, "brand-x", history=True)
            chain = verify(conn)
            # 0012: each person's current employment, moved from their row
            jobs = [
                tuple(r)
                for r in conn.execute(
                    text(
                        "SELECT person_id, number, start_date, end_date, status, closed_at"
                        " FROM employments ORDER BY person_id"
                    )
                )
            ]
            bob_history = employment_history(conn, "bob@example.com")
    finally:
        engine.dispose()
    assert bob.end_date == date(2026, 12, 31)
    assert [g["granted_at"] for g in held] == [T0.isoformat()]
    assert [(g["person"], g["revoke_reason"]) for g in history] == [
        ("ann@example.com", None),
        ("bob@example.com", "left"),
    ]
    assert [(j[0], j[1], j[4], j[5]) for j in jobs] == [
        (1, 1, "active", None),
        (2, 1, "leaving", None),
    ]
    assert [str(j[3]) if j[3] else None for j in jobs] == [None, "2026-12-31"]
    (bob_job,) = bob_history["employments"]
    assert bob_job["began_at"] == T0.isoformat()
    assert [g["revoke_reason"] for g in bob_job["grants"]] == ["left"]
    # The hand-written hashes above are not a real chain: the verifier reads the old rows.
    assert chain.bad_seq == 1


def _insert(engine: Engine, table: str, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    sql += f"({', '.join(':' + c for c in columns)})"
    with engine.begin() as conn:
        conn.execute(text(sql), rows)


def test_upgrade_maps_old_exposures_to_fields(empty_url: str) -> None:
    """0010: a reveal covers every field of its version, a code is a code, a seed export is
    the seed shown to that person (no longer a key marked exported, unless nobody known saw it)."""
    engine = make_engine(empty_url)
    try:
        upgrade(engine, RELEASED_HEAD)
        _write_released_rows(engine)
        upgrade(engine, "0007")
        t = _stamp(engine, T0)
        _insert(
            engine,
            "accounts",
            [
                {
                    "id": 2, "name": "brand-y", "platform": "x", "handle": "@y",
                    "criticality": "medium", "connector": "manual", "settings": "{}",
                    "tags": "[]", "created_at": t, "updated_at": t,
                }
            ],
        )  # fmt: skip
        _insert(
            engine,
            "credentials",
            [{"id": 1, "account_id": 1, "vault_path": "p", "current_version": 1,
              "state": "active", "created_at": t}],
        )  # fmt: skip
        key = {"generation": 1, "enrolled_at": t, "enrolled_by": "it", "exported": True,
               "exported_at": t, "personal_device": False}  # fmt: skip
        _insert(
            engine,
            "totp_keys",
            [
                {"id": 1, "account_id": 1, "key_name": "k1", "exported_by": "bob@example.com",
                 **key},
                {"id": 2, "account_id": 2, "key_name": "k2", "exported_by": "cron", **key},
            ],
        )  # fmt: skip
        _insert(
            engine,
            "exposures",
            [
                {"person_id": 1, "credential_id": 1, "totp_key_id": None, "kind": "reveal",
                 "version": 1, "occurred_at": t},
                {"person_id": 1, "credential_id": None, "totp_key_id": 1, "kind": "totp-code",
                 "version": 1, "occurred_at": t},
                {"person_id": 2, "credential_id": None, "totp_key_id": 1, "kind": "seed-export",
                 "version": 1, "occurred_at": t},
            ],
        )  # fmt: skip

        upgrade(engine)

        with engine.connect() as conn:
            mapped = sorted(
                tuple(r) for r in conn.execute(text("SELECT person_id, kind, field FROM exposures"))
            )
            exported = dict(
                tuple(r) for r in conn.execute(text("SELECT id, exported FROM totp_keys"))
            )
            fields = [(f.account_name, f.field) for f in exposed_fields(conn, 1)]
            seeds = [s.name for s in exported_seed_accounts(conn, 2)]
    finally:
        engine.dispose()
    assert mapped == [
        (1, "reveal", "all"),
        (1, "totp-code", "totp_code"),
        (2, "seed-shown", "totp_seed"),
    ]
    # Shown to bob (a person): his exposure now; shown to "cron": still marked exported.
    assert {k: bool(v) for k, v in exported.items()} == {1: False, 2: True}
    assert fields == [("brand-x", "backup_codes"), ("brand-x", "recovery")]
    assert seeds == ["brand-x"]
