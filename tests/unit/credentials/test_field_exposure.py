"""Exposure per field: backup codes and recovery details stay current until a version
changes that field; a version that changed another field keeps the password's exposure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, insert
from sqlalchemy.engine import Connection

from accessguard.clock import FixedClock
from accessguard.credentials.exposure import exposed_credentials, exposed_fields
from accessguard.credentials.fields import changed_fields, record_field_writes
from accessguard.db import tables
from accessguard.secret import Secret
from support import rows

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


@pytest.fixture
def conn():
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        tables.metadata.create_all(connection)
        yield connection
    engine.dispose()


def _credential(conn: Connection, versions: int) -> tuple[int, int]:
    account = rows.account(conn, "brand-x", "x")
    cred = int(
        conn.execute(
            insert(tables.credentials).values(
                account_id=account, vault_path="p", current_version=versions, state="active",
                created_at=T0,
            )
        ).inserted_primary_key[0]
    )  # fmt: skip
    for v in range(1, versions + 1):
        conn.execute(
            insert(tables.credential_versions).values(
                credential_id=cred, version=v, created_at=T0 + timedelta(days=v),
                superseded_at=None if v == versions else T0 + timedelta(days=v + 1),
                state="active",
            )
        )  # fmt: skip
    return account, cred


def _seen(conn: Connection, person: int, cred: int, version: int, field: str) -> None:
    conn.execute(
        insert(tables.exposures).values(
            person_id=person, credential_id=cred, kind="reveal", field=field, version=version,
            occurred_at=T0,
        )
    )  # fmt: skip


def _writes(conn: Connection, cred: int, version: int, **changed: bool) -> None:
    record_field_writes(conn, FixedClock(T0), credential_id=cred, version=version, changed=changed)


def test_backup_codes_seen_stay_current_through_a_rotation(conn: Connection) -> None:
    ann = rows.person(conn, "ann@example.com")
    _, cred = _credential(conn, 2)  # version 2: a rotation (no field rows: password only)
    _seen(conn, ann, cred, 1, "backup_codes")
    assert [(f.field, f.version) for f in exposed_fields(conn, ann)] == [("backup_codes", 1)]


def test_a_version_with_new_backup_codes_ends_their_exposure(conn: Connection) -> None:
    ann = rows.person(conn, "ann@example.com")
    _, cred = _credential(conn, 2)
    _seen(conn, ann, cred, 1, "backup_codes")
    _writes(conn, cred, 2, backup_codes=True)
    assert exposed_fields(conn, ann) == []


def test_the_same_backup_codes_stored_again_do_not_end_it(conn: Connection) -> None:
    ann = rows.person(conn, "ann@example.com")
    _, cred = _credential(conn, 2)
    _seen(conn, ann, cred, 1, "backup_codes")
    _writes(conn, cred, 2, backup_codes=False)
    assert [f.field for f in exposed_fields(conn, ann)] == ["backup_codes"]


def test_an_old_whole_reveal_covers_every_manual_field(conn: Connection) -> None:
    ann = rows.person(conn, "ann@example.com")
    _, cred = _credential(conn, 1)
    _seen(conn, ann, cred, 1, "all")
    assert [f.field for f in exposed_fields(conn, ann)] == ["backup_codes", "recovery"]


def test_a_backup_codes_reveal_is_not_a_password_exposure(conn: Connection) -> None:
    ann = rows.person(conn, "ann@example.com")
    _, cred = _credential(conn, 1)
    _seen(conn, ann, cred, 1, "backup_codes")
    assert exposed_credentials(conn, ann, observed_only=True) == []


def test_new_backup_codes_keep_the_password_exposure(conn: Connection) -> None:
    ann = rows.person(conn, "ann@example.com")
    _, cred = _credential(conn, 2)
    _seen(conn, ann, cred, 1, "password")
    _writes(conn, cred, 2, backup_codes=True)  # `creds set --field backup_codes`
    assert [e.observed for e in exposed_credentials(conn, ann, observed_only=True)] == [True]


def test_a_new_password_ends_the_password_exposure(conn: Connection) -> None:
    ann = rows.person(conn, "ann@example.com")
    _, cred = _credential(conn, 2)
    _seen(conn, ann, cred, 1, "password")
    _writes(conn, cred, 2, password=True, backup_codes=False)
    assert exposed_credentials(conn, ann, observed_only=True) == []


def test_changed_fields_compares_values() -> None:
    before = {"password": Secret("a"), "backup_codes": Secret("1")}
    written = {"password": Secret("a"), "backup_codes": Secret("2"), "recovery": Secret("r")}
    assert changed_fields(before, written) == {
        "password": False,
        "backup_codes": True,
        "recovery": True,
    }
