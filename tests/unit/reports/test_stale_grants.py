"""stale-grant only from real use data: recorded use, or a shared login watched all window."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from accessguard.db import tables
from accessguard.inventory.grants import record_use
from accessguard.reports.findings.grants import stale_grants
from support import rows
from support.findings import context, kinds
from support.rows import NOW

LONG_AGO = NOW - timedelta(days=200)


def _grant(
    conn: Connection, *, via: str = "platform-role", role: str = "editor", **kw: object
) -> int:
    rows.person(conn, "idle@example.com")
    rows.account(conn, "brand", "facebook")
    return rows.grant(conn, "idle@example.com", "brand", role, via, now=LONG_AGO, **kw)


def _custody(conn: Connection, *, days: int = 300) -> int:
    """The brand's login held in Vault for ``days`` days."""
    return rows.credential(conn, rows.account_id(conn, "brand"), age_days=days)


def _exposure(conn: Connection, credential: int, kind: str, at: datetime) -> None:
    conn.execute(
        insert(tables.exposures).values(
            person_id=rows.person_id(conn, "idle@example.com"),
            credential_id=credential,
            kind=kind,
            version=2,
            occurred_at=at,
        )
    )


def test_platform_role_without_use_data_is_no_finding(conn: Connection) -> None:
    _grant(conn)
    assert list(stale_grants(context(conn))) == []


def test_platform_role_with_old_recorded_use_is_stale_low(conn: Connection) -> None:
    _grant(conn, last_used_at=NOW - timedelta(days=150))
    assert kinds(stale_grants(context(conn))) == {"stale-grant": "low"}


def test_admin_role_with_old_recorded_use_is_medium(conn: Connection) -> None:
    _grant(conn, role="admin", last_used_at=NOW - timedelta(days=150))
    assert kinds(stale_grants(context(conn))) == {"stale-grant": "medium"}


def test_recent_recorded_use_is_not_stale(conn: Connection) -> None:
    _grant(conn, last_used_at=NOW - timedelta(days=5))
    assert list(stale_grants(context(conn))) == []


def test_shared_login_watched_all_window_and_never_revealed_is_stale(conn: Connection) -> None:
    _grant(conn, via="shared-login")
    _custody(conn)
    [finding] = stale_grants(context(conn))
    assert "no reveal or code since granted" in finding.message


def test_shared_login_not_in_custody_is_no_finding(conn: Connection) -> None:
    _grant(conn, via="shared-login")
    assert list(stale_grants(context(conn))) == []


def test_shared_login_in_custody_for_less_than_the_window_is_no_finding(conn: Connection) -> None:
    _grant(conn, via="shared-login")
    _custody(conn, days=30)
    assert list(stale_grants(context(conn))) == []


def test_seed_in_custody_counts_as_watching(conn: Connection) -> None:
    _grant(conn, via="shared-login")
    rows.totp_key(conn, rows.account_id(conn, "brand"), now=NOW - timedelta(days=300))
    assert kinds(stale_grants(context(conn))) == {"stale-grant": "low"}


def test_a_recent_reveal_counts_as_use(conn: Connection) -> None:
    _grant(conn, via="shared-login")
    _exposure(conn, _custody(conn), "reveal", NOW - timedelta(days=2))
    assert list(stale_grants(context(conn))) == []


def test_a_recent_totp_code_counts_as_use(conn: Connection) -> None:
    _grant(conn, via="shared-login")
    key = rows.totp_key(conn, rows.account_id(conn, "brand"), now=NOW - timedelta(days=300))
    conn.execute(
        insert(tables.exposures).values(
            person_id=rows.person_id(conn, "idle@example.com"),
            totp_key_id=key,
            kind="totp-code",
            version=1,
            occurred_at=NOW - timedelta(days=3),
        )
    )
    assert list(stale_grants(context(conn))) == []


def test_an_old_reveal_is_named_as_the_last_use(conn: Connection) -> None:
    _grant(conn, via="shared-login")
    _exposure(conn, _custody(conn), "reveal", NOW - timedelta(days=150))
    [finding] = stale_grants(context(conn))
    assert "last used 2026-06-05" in finding.message


def test_storing_the_login_is_not_use(conn: Connection) -> None:
    _grant(conn, via="shared-login")
    _exposure(conn, _custody(conn), "entered", NOW - timedelta(days=2))
    assert kinds(stale_grants(context(conn))) == {"stale-grant": "low"}


def test_a_grant_younger_than_the_window_is_not_stale(conn: Connection) -> None:
    _grant(conn, via="shared-login")
    _custody(conn)
    conn.execute(tables.grants.update().values(granted_at=NOW - timedelta(days=10)))
    assert list(stale_grants(context(conn))) == []


def test_a_revoked_grant_is_not_stale(conn: Connection) -> None:
    _grant(conn, last_used_at=NOW - timedelta(days=150), revoked_at=NOW - timedelta(days=1))
    assert list(stale_grants(context(conn))) == []


def _last_used(conn: Connection) -> list[datetime | None]:
    query = select(tables.grants.c.last_used_at).order_by(tables.grants.c.id)
    return list(conn.execute(query).scalars())


def test_record_use_stamps_the_persons_shared_login_grant(conn: Connection) -> None:
    _grant(conn, via="shared-login")
    stamped = record_use(
        conn,
        person_id=rows.person_id(conn, "idle@example.com"),
        account_id=rows.account_id(conn, "brand"),
        at=NOW,
    )
    assert (stamped, _last_used(conn)) == (1, [NOW])


def test_record_use_leaves_platform_roles_and_other_people_alone(conn: Connection) -> None:
    _grant(conn)
    rows.person(conn, "other@example.com")
    rows.grant(conn, "other@example.com", "brand", "login", "shared-login", now=LONG_AGO)
    record_use(
        conn,
        person_id=rows.person_id(conn, "idle@example.com"),
        account_id=rows.account_id(conn, "brand"),
        at=NOW,
    )
    assert _last_used(conn) == [None, None]


def test_record_use_never_moves_the_stamp_back(conn: Connection) -> None:
    _grant(conn, via="shared-login", last_used_at=NOW)
    record_use(
        conn,
        person_id=rows.person_id(conn, "idle@example.com"),
        account_id=rows.account_id(conn, "brand"),
        at=NOW - timedelta(days=1),
    )
    assert _last_used(conn) == [NOW]
