"""One reconcile run: ask each platform who holds access, compare, store and audit the drift.

``fetch_holders`` talks to the platforms and touches no database, so the CLI runs it
between two short transactions; ``record_reconcile`` runs in the caller's transaction.
A connector with a change feed (``connectors/changefeed.py``) is also asked what changed
since its account's cursor: the new changes are shown, stored and audited
(``reconcile.change``), each drift item lists the changes about its person, and the
cursor moves to the time of the read.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import Event, record_many
from accessguard.clock import Clock
from accessguard.connectors.base import Connector, Holder
from accessguard.connectors.changefeed import Change, change_feed
from accessguard.errors import AccessGuardError
from accessguard.reconcile import feed
from accessguard.reconcile.changes import (
    advance_cursor,
    insert_changes,
    recorded_changes,
    unrecorded,
)
from accessguard.reconcile.compare import compare
from accessguard.reconcile.records import (
    ConnectedAccount,
    active_grant_holders,
    insert_check,
    insert_drift,
    insert_run,
)

Builder = Callable[[ConnectedAccount], Connector | None]
_AUDITED = ("email", "platform_id", "name", "role", "grant_id")


@dataclass
class AccountResult:
    """What one account's comparison found."""

    account: str
    platform: str
    status: str
    connector: str | None = None
    holders: int = 0
    grants: int = 0
    error: str | None = None
    drift: list[dict[str, Any]] = field(default_factory=list)
    #: the platform's changes since the last read (connectors with a change feed).
    changes: list[dict[str, Any]] = field(default_factory=list)
    changes_since: str | None = None
    #: why the change feed could not be read (the drift is still compared).
    feed_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return dict(self.__dict__)


@dataclass
class ReconcileReport:
    """A whole run: its id, per-account results, totals."""

    run_id: str
    scope: str
    accounts: list[AccountResult]

    @property
    def drift_count(self) -> int:
        """How many drift items were found."""
        return sum(len(a.drift) for a in self.accounts)

    @property
    def errors(self) -> int:
        """How many accounts could not be compared, or their change feed not read."""
        return sum(1 for a in self.accounts if a.status == "error" or a.feed_error)

    @property
    def status(self) -> str:
        """``clean``, ``drift`` or ``partial`` (some accounts failed)."""
        if self.errors:
            return "partial"
        return "drift" if self.drift_count else "clean"

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape printed by ``reconcile --json``."""
        return {
            "run_id": self.run_id,
            "scope": self.scope,
            "status": self.status,
            "drift_count": self.drift_count,
            "change_count": sum(len(a.changes) for a in self.accounts),
            "errors": self.errors,
            "accounts": [a.to_dict() for a in self.accounts],
        }


def scope_of(account_ref: str | None, platform: str | None) -> str:
    """How a run's scope is recorded."""
    if account_ref:
        return f"account:{account_ref}"
    return f"platform:{platform}" if platform else "all"


@dataclass
class Fetched:
    """One account's listing from its platform (or why there is none)."""

    account: ConnectedAccount
    result: AccountResult
    holders: list[Holder] = field(default_factory=list)
    #: the change feed's entries and when it was read (None: no feed, or it failed).
    changes: list[Change] | None = None
    read_at: datetime | None = None


def fetch_holders(
    accounts: Sequence[ConnectedAccount],
    build: Builder,
    *,
    clock: Clock | None = None,
    cursors: Mapping[int, datetime] | None = None,
) -> list[Fetched]:
    """Ask each account's platform who holds access (and, given a clock, what changed since
    its cursor); touches no database (call it outside a transaction, so slow platforms
    never hold a database lock)."""
    fetched: list[Fetched] = []
    for account in accounts:
        result = AccountResult(account=account.name, platform=account.platform, status="skipped")
        item = Fetched(account, result)
        fetched.append(item)
        try:
            connector = build(account)
            if connector is None or not connector.can_list:
                result.connector = connector.name if connector else None
                result.error = "no connector that can list holders"
                continue
            result.connector = connector.name
            item.holders = connector.list_holders()
            result.status = "ok"
        except AccessGuardError as exc:
            result.status, result.error = "error", exc.message
            continue
        if clock is not None:
            _read_feed(item, connector, clock, (cursors or {}).get(account.id))
    return fetched


def _read_feed(item: Fetched, connector: Connector, clock: Clock, cursor: datetime | None) -> None:
    """Read the connector's change feed from the account's cursor, if it has one."""
    source = change_feed(connector)
    if source is None:
        return
    now = clock.now()
    since = feed.read_from(cursor, now)
    item.result.changes_since = since.isoformat()
    try:
        item.changes = source.changes_since(since, until=now)
        item.read_at = now
    except AccessGuardError as exc:
        item.result.feed_error = exc.message


def record_reconcile(
    session: Connection, clock: Clock, actor: str, *, scope: str, fetched: Sequence[Fetched]
) -> ReconcileReport:
    """Compare fetched listings with active grants; store the run, checks and drift; audit."""
    run_id, started_at = uuid.uuid4().hex, clock.now()
    listed = [item for item in fetched if item.result.status == "ok"]
    grants = active_grant_holders(session, [item.account.id for item in listed])
    for item in listed:
        held = grants.get(item.account.id, [])
        item.result.holders = sum(1 for h in item.holders if h.active)
        item.result.grants = len(held)
        item.result.drift = compare(item.account.settings, item.holders, grants=held)
        for drift in item.result.drift:
            drift["changes"] = []
    report = ReconcileReport(run_id, scope, [item.result for item in fetched])
    insert_run(
        session,
        run_id,
        started_at=started_at,
        finished_at=clock.now(),
        actor=actor,
        scope=scope,
        status=report.status,
        accounts_checked=sum(1 for r in report.accounts if r.status == "ok"),
        drift_count=report.drift_count,
    )
    events = [
        _record_changes(session, run_id=run_id, actor=actor, item=item)
        + _store(session, clock, run_id=run_id, actor=actor, item=item)
        for item in fetched
    ]
    summary = {
        "status": report.status,
        "accounts": len(report.accounts),
        "drift_count": report.drift_count,
        "errors": report.errors,
    }
    run_event = Event(actor, AuditAction.RECONCILE_RUN, "reconcile", scope, summary, run_id)
    record_many(session, clock, [*(e for found in events for e in found), run_event])
    return report


def _record_changes(session: Connection, *, run_id: str, actor: str, item: Fetched) -> list[Event]:
    """Store the feed's new changes, explain the drift with them, move the cursor; the audit events."""
    if item.changes is None or item.read_at is None:
        return []
    account, result = item.account, item.result
    fresh = unrecorded(session, account.id, item.changes)
    known = recorded_changes(session, account.id)
    insert_changes(session, run_id, account.id, fresh)
    advance_cursor(session, account.id, read_until=item.read_at, run_id=run_id)
    result.changes = [feed.view(change, item.holders) for change in fresh]
    for drift in result.drift:
        drift["changes"] = feed.explain(drift, [*known, *fresh], item.holders)
    return [
        Event(actor, AuditAction.RECONCILE_CHANGE, "account", account.name, view, run_id)
        for view in result.changes
    ]


def _store(
    session: Connection, clock: Clock, *, run_id: str, actor: str, item: Fetched
) -> list[Event]:
    """Store one account's check and its drift; the audit events of the drift."""
    account, result, now = item.account, item.result, clock.now()
    check_id = insert_check(
        session,
        run_id,
        account_id=account.id,
        checked_at=now,
        status=result.status,
        connector=result.connector,
        holders=result.holders,
        grants=result.grants,
        error=result.error,
    )
    insert_drift(
        session,
        [
            {
                "run_id": run_id,
                "check_id": check_id,
                "account_id": account.id,
                "account_name": account.name,
                "platform": account.platform,
                "kind": drift["kind"],
                "person_id": drift["person_id"],
                "grant_id": drift["grant_id"],
                "email": drift["email"],
                "platform_id": drift["platform_id"],
                "holder_name": drift["name"],
                "role": drift["role"],
                "found_at": now,
            }
            for drift in result.drift
        ],
    )
    return [
        Event(
            actor,
            AuditAction.drift(drift["kind"]),
            "account",
            account.name,
            {k: drift[k] for k in _AUDITED}
            | ({"changes": drift["changes"]} if drift.get("changes") else {}),
            run_id,
        )
        for drift in result.drift
    ]
