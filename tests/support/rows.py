"""Small row factories on the Core tables: people, accounts, grants, custody, drift, reviews.

Each inserts one row with sensible defaults and returns its id; the caller owns the
connection (``app.begin()`` or an in-memory SQLite engine).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from accessguard.db import tables

NOW = datetime.fromisoformat("2026-11-02T09:00:00+00:00")


def _insert(conn: Connection, table: Any, values: dict[str, Any]) -> int:
    return int(conn.execute(insert(table).values(**values).returning(table.c.id)).scalar_one())


def person(conn: Connection, email: str, *, now: datetime = NOW, **values: Any) -> int:
    """A person (employee, active, manual source unless given)."""
    row = {
        "email": email,
        "name": email.split("@")[0],
        "kind": "employee",
        "status": "active",
        "source": "manual",
        "created_at": now,
        "updated_at": now,
    }
    return _insert(conn, tables.people, {**row, **values})


def person_id(conn: Connection, email: str) -> int:
    """The id of the person with ``email``."""
    return int(
        conn.execute(select(tables.people.c.id).where(tables.people.c.email == email)).scalar_one()
    )


def account(
    conn: Connection, name: str, platform: str, *, now: datetime = NOW, **values: Any
) -> int:
    """An account (medium criticality, handle ``@name``, no settings unless given)."""
    row = {
        "name": name,
        "platform": platform,
        "handle": f"@{name}",
        "criticality": "medium",
        "settings": {},
        "tags": [],
        "created_at": now,
        "updated_at": now,
    }
    return _insert(conn, tables.accounts, {**row, **values})


def account_id(conn: Connection, name: str) -> int:
    """The id of the account named ``name``."""
    return int(
        conn.execute(
            select(tables.accounts.c.id).where(tables.accounts.c.name == name)
        ).scalar_one()
    )


def grant(
    conn: Connection,
    email: str,
    account_name: str,
    role: str,
    via: str = "platform-role",
    *,
    now: datetime = NOW,
    **values: Any,
) -> int:
    """An active grant of ``role`` on the account to the person (by email and name)."""
    row = {
        "person_id": person_id(conn, email),
        "account_id": account_id(conn, account_name),
        "role": role,
        "via": via,
        "granted_at": now,
        "granted_by": "tester@example.com",
    }
    return _insert(conn, tables.grants, {**row, **values})


def totp_key(conn: Connection, account: int, *, now: datetime = NOW, **values: Any) -> int:
    """A live 2FA seed in Vault custody for the account."""
    row = {
        "account_id": account,
        "key_name": f"key-{account}",
        "generation": 1,
        "enrolled_at": now,
        "enrolled_by": "tester@example.com",
        "exported": False,
        "personal_device": False,
    }
    return _insert(conn, tables.totp_keys, {**row, **values})


def credential(
    conn: Connection, account: int, *, age_days: int, now: datetime = NOW, **values: Any
) -> int:
    """A shared login (version 2) last rotated ``age_days`` before ``now``."""
    at = now - timedelta(days=age_days)
    row = {
        "account_id": account,
        "vault_path": f"accessguard/{account}",
        "current_version": 2,
        "previous_version": 1,
        "state": "active",
        "rotated_at": at,
        "rotated_by": "tester@example.com",
        "created_at": at,
    }
    return _insert(conn, tables.credentials, {**row, **values})


def reconcile_check(
    conn: Connection,
    account: int,
    *,
    run_id: str = "rec-1",
    status: str = "ok",
    now: datetime = NOW,
) -> int:
    """A finished reconcile run (created once per ``run_id``) with one check of the account."""
    runs = tables.reconcile_runs
    if conn.execute(select(runs.c.id).where(runs.c.id == run_id)).first() is None:
        conn.execute(
            insert(runs).values(
                id=run_id,
                started_at=now,
                finished_at=now,
                actor="tester@example.com",
                scope="all",
                status="drift",
                accounts_checked=1,
                drift_count=0,
            )
        )
    return _insert(
        conn,
        tables.reconcile_checks,
        {
            "run_id": run_id,
            "account_id": account,
            "checked_at": now,
            "status": status,
            "connector": "fake",
            "holders": 0,
            "grants": 0,
        },
    )


def drift(conn: Connection, check: int, kind: str, *, now: datetime = NOW, **values: Any) -> int:
    """A drift item found by the check (``unmanaged`` or ``missing``)."""
    checks, accounts = tables.reconcile_checks, tables.accounts
    found = conn.execute(
        select(checks.c.run_id, accounts.c.id, accounts.c.name, accounts.c.platform)
        .join(accounts, accounts.c.id == checks.c.account_id)
        .where(checks.c.id == check)
    ).one()
    row = {
        "run_id": found.run_id,
        "check_id": check,
        "account_id": found.id,
        "account_name": found.name,
        "platform": found.platform,
        "kind": kind,
        "found_at": now,
    }
    return _insert(conn, tables.drift_items, {**row, **values})


def overdue_review(
    conn: Connection,
    grant_id: int,
    *,
    reviewer: str,
    due: date,
    scope: str | None = None,
    now: datetime = NOW,
) -> int:
    """An open campaign (on the account ``scope``) due on ``due``, one undecided item for the grant."""
    campaign = _insert(
        conn,
        tables.review_campaigns,
        {
            "scope_kind": "account",
            "scope_value": scope,
            "reviewer_email": reviewer,
            "due_date": due,
            "status": "open",
            "item_count": 1,
            "created_at": now,
            "created_by": "tester@example.com",
        },
    )
    g = conn.execute(select(tables.grants).where(tables.grants.c.id == grant_id)).one()
    _insert(
        conn,
        tables.review_items,
        {
            "campaign_id": campaign,
            "grant_id": grant_id,
            "person_id": g.person_id,
            "account_id": g.account_id,
            "role": g.role,
            "via": g.via,
            "reviewer_email": reviewer,
        },
    )
    return campaign
