"""Reconcile's rows as records: the accounts in scope, the grants they are compared with, drift.

Core statements on ``db/tables/`` only; the caller owns the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import drift_items as _DRIFT
from accessguard.db.tables import grants as _GRANTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.db.tables import reconcile_checks as _CHECKS
from accessguard.db.tables import reconcile_runs as _RUNS
from accessguard.errors import UsageError
from accessguard.inventory.archived import refuse_archived
from accessguard.inventory.records import get_account_record


@dataclass(frozen=True, slots=True)
class ConnectedAccount:
    """An account with what its connector needs (name, platform, handle, connector, settings)."""

    id: int
    name: str
    platform: str
    handle: str
    connector: str | None
    settings: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class GrantHolder:
    """An active grant with the person holding it (what a platform listing is compared with)."""

    grant_id: int
    role: str
    via: str
    person_id: int
    email: str
    name: str


@dataclass(frozen=True, slots=True)
class DriftRecord:
    """One stored disagreement between a platform and the inventory."""

    id: int
    run_id: str
    check_id: int
    account_id: int
    account_name: str
    platform: str
    kind: str
    person_id: int | None
    grant_id: int | None
    email: str | None
    platform_id: str | None
    holder_name: str | None
    role: str | None
    found_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape of a drift item."""
        return {
            "run_id": self.run_id,
            "account": self.account_name,
            "platform": self.platform,
            "kind": self.kind,
            "email": self.email,
            "platform_id": self.platform_id,
            "name": self.holder_name,
            "role": self.role,
            "grant_id": self.grant_id,
            "found_at": self.found_at.isoformat(),
        }


_ACCOUNT_COLUMNS = [_ACCOUNTS.c[name] for name in ConnectedAccount.__slots__]
_DRIFT_COLUMNS = [_DRIFT.c[name] for name in DriftRecord.__slots__]


def _account(row: Any) -> ConnectedAccount:
    return ConnectedAccount(
        row.id, row.name, row.platform, row.handle, row.connector, dict(row.settings or {})
    )


def get_connected_account(session: Connection, ref: str) -> ConnectedAccount:
    """An account by name or ``platform:handle``; NotFoundError with a hint otherwise."""
    account_id = get_account_record(session, ref).id
    return _account(
        session.execute(select(*_ACCOUNT_COLUMNS).where(_ACCOUNTS.c.id == account_id)).one()
    )


def accounts_in_scope(
    session: Connection, account_ref: str | None, *, platform: str | None
) -> list[ConnectedAccount]:
    """The accounts one reconcile covers: one account, one platform's, or all (by name)."""
    if account_ref and platform:
        raise UsageError("give --account or --platform, not both")
    if account_ref:
        refuse_archived(
            get_account_record(session, account_ref), doing="reconcile does not ask its platform"
        )
        return [get_connected_account(session, account_ref)]
    query = select(*_ACCOUNT_COLUMNS).order_by(_ACCOUNTS.c.name)
    query = query.where(_ACCOUNTS.c.archived_at.is_(None))  # archived: out of service
    if platform:
        query = query.where(_ACCOUNTS.c.platform == platform)
    return [_account(row) for row in session.execute(query)]


def active_grant_holders(
    session: Connection, account_ids: Sequence[int]
) -> dict[int, list[GrantHolder]]:
    """Active grants with their people, by account id, for these accounts (one query)."""
    grants, people = _GRANTS.c, _PEOPLE.c
    found: dict[int, list[GrantHolder]] = defaultdict(list)
    if not account_ids:
        return found
    rows = session.execute(
        select(
            grants.account_id,
            grants.id,
            grants.role,
            grants.via,
            people.id.label("person_id"),
            people.email,
            people.name,
        )
        .join(_PEOPLE, people.id == grants.person_id)
        .where(grants.account_id.in_(list(account_ids)), grants.revoked_at.is_(None))
        .order_by(grants.id)
    )
    for row in rows:
        found[row.account_id].append(
            GrantHolder(row.id, row.role, row.via, row.person_id, row.email, row.name)
        )
    return found


def insert_run(
    session: Connection,
    run_id: str,
    *,
    started_at: datetime,
    finished_at: datetime,
    actor: str,
    scope: str,
    status: str,
    accounts_checked: int,
    drift_count: int,
) -> None:
    """Store one finished reconcile run."""
    session.execute(
        insert(_RUNS).values(
            id=run_id,
            started_at=started_at,
            finished_at=finished_at,
            actor=actor,
            scope=scope,
            status=status,
            accounts_checked=accounts_checked,
            drift_count=drift_count,
        )
    )


def insert_check(session: Connection, run_id: str, *, account_id: int, **values: Any) -> int:
    """Store one account's check in a run (``status``, ``connector``, counts, ``error``); its id."""
    check_id = session.execute(
        insert(_CHECKS)
        .values(run_id=run_id, account_id=account_id, **values)
        .returning(_CHECKS.c.id)
    ).scalar_one()
    return int(check_id)


def insert_drift(session: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Store drift items (column -> value), set-based."""
    if rows:
        session.execute(insert(_DRIFT), [dict(row) for row in rows])


def latest_drift(session: Connection, *, account_id: int | None = None) -> list[DriftRecord]:
    """Drift items of every account's most recent ``ok`` check (one account if given)."""
    checks = _CHECKS.c
    latest = (
        select(checks.account_id, func.max(checks.id).label("check_id"))
        .where(checks.status == "ok")
        .group_by(checks.account_id)
    )
    if account_id is not None:
        latest = latest.where(checks.account_id == account_id)
    sub = latest.subquery()
    drift = _DRIFT.c
    query = (
        select(*_DRIFT_COLUMNS)
        .join(sub, drift.check_id == sub.c.check_id)
        .order_by(drift.account_name, drift.kind, drift.email, drift.id)
    )
    return [DriftRecord(*row) for row in session.execute(query)]
