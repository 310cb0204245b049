"""Compare what each platform says with the inventory, store and audit the drift.

For every account whose connector can list holders: an active holder no active grant
accounts for is ``unmanaged``; an active platform-role or suite-seat grant no active
holder accounts for is ``missing`` (shared logins are invisible to platform APIs).
People match by email, by the platform id or name in ``settings.identities``, and
holders listed in ``settings.reconcile_ignore`` (the API's own service user) are skipped.
The caller owns the transaction. ``fetch_holders`` talks to the platforms and touches no
database, so the CLI runs it between two short transactions.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.connectors.base import Connector, Holder
from accessguard.connectors.matching import holder_keys, identities
from accessguard.connectors.models import DriftItem, ReconcileCheck, ReconcileRun
from accessguard.errors import AccessGuardError, UsageError
from accessguard.inventory.lookup import get_account
from accessguard.inventory.models import Account, Grant, Person

LISTED_VIAS = ("platform-role", "suite-seat")
Builder = Callable[[Account], Connector | None]


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
        """How many accounts could not be compared."""
        return sum(1 for a in self.accounts if a.status == "error")

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
            "errors": self.errors,
            "accounts": [a.to_dict() for a in self.accounts],
        }


def accounts_in_scope(
    session: Session, account_ref: str | None, platform: str | None
) -> list[Account]:
    """The accounts one reconcile covers: one account, one platform's, or all."""
    if account_ref and platform:
        raise UsageError("give --account or --platform, not both")
    if account_ref:
        return [get_account(session, account_ref)]
    query = select(Account).order_by(Account.name)
    if platform:
        query = query.where(Account.platform == platform)
    return list(session.execute(query).scalars())


def scope_of(account_ref: str | None, platform: str | None) -> str:
    """How a run's scope is recorded."""
    if account_ref:
        return f"account:{account_ref}"
    return f"platform:{platform}" if platform else "all"


def compare(
    account: Account, holders: Sequence[Holder], grants: Sequence[tuple[Grant, Person]]
) -> list[dict[str, Any]]:
    """The drift between one account's holders and its active grants (pure)."""
    settings = account.settings or {}
    mapping = identities(settings)
    ignored = {str(v).strip().lower() for v in settings.get("reconcile_ignore") or []}
    active = [h for h in holders if h.active and not (holder_keys(h) & ignored)]
    listed = [(g, p) for g, p in grants if g.via in LISTED_VIAS]

    def person_keys(person: Person) -> set[str]:
        keys = {person.email.lower()}
        if mapped := mapping.get(person.email.lower()):
            keys.add(mapped.strip().lower())
        return keys

    drift: list[dict[str, Any]] = []
    for holder in active:
        if not any(holder_keys(holder) & person_keys(p) for _, p in listed):
            drift.append(
                {
                    "kind": "unmanaged",
                    "email": holder.email,
                    "platform_id": holder.platform_id,
                    "name": holder.name,
                    "role": holder.role,
                    "person_id": None,
                    "grant_id": None,
                }
            )
    for grant, person in listed:
        keys = person_keys(person)
        if not any(holder_keys(h) & keys for h in active):
            drift.append(
                {
                    "kind": "missing",
                    "email": person.email,
                    "platform_id": mapping.get(person.email.lower()),
                    "name": person.name,
                    "role": grant.role,
                    "person_id": person.id,
                    "grant_id": grant.id,
                }
            )
    return drift


@dataclass
class Fetched:
    """One account's listing from its platform (or why there is none)."""

    account: Account
    result: AccountResult
    holders: list[Holder] = field(default_factory=list)


def fetch_holders(accounts: Sequence[Account], build: Builder) -> list[Fetched]:
    """Ask each account's platform who holds access; touches no database (call it outside a
    transaction, so slow platforms never hold a database lock)."""
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
    return fetched


def record_reconcile(
    session: Session, clock: Clock, actor: str, *, scope: str, fetched: Sequence[Fetched]
) -> ReconcileReport:
    """Compare fetched listings with active grants; store the run, checks and drift; audit."""
    run = ReconcileRun(
        id=uuid.uuid4().hex, started_at=clock.now(), actor=actor, scope=scope, status="running"
    )
    for item in fetched:
        if item.result.status != "ok":
            continue
        grants = session.execute(
            select(Grant, Person)
            .join(Person, Person.id == Grant.person_id)
            .where(Grant.account_id == item.account.id, Grant.revoked_at.is_(None))
        ).all()
        item.result.holders = sum(1 for h in item.holders if h.active)
        item.result.grants = len(grants)
        item.result.drift = compare(item.account, item.holders, [(g, p) for g, p in grants])
    report = ReconcileReport(run.id, scope, [item.result for item in fetched])
    run.finished_at = clock.now()
    run.status = report.status
    run.accounts_checked = sum(1 for r in report.accounts if r.status == "ok")
    run.drift_count = report.drift_count
    session.add(run)
    session.flush()
    for item in fetched:
        _store(session, clock, actor, run, item.account, item.result)
    record(
        session,
        clock,
        actor=actor,
        action="reconcile.run",
        target_type="reconcile",
        target=scope,
        run_id=run.id,
        details={
            "status": report.status,
            "accounts": len(report.accounts),
            "drift_count": report.drift_count,
            "errors": report.errors,
        },
    )
    return report


def _store(
    session: Session,
    clock: Clock,
    actor: str,
    run: ReconcileRun,
    account: Account,
    result: AccountResult,
) -> None:
    now = clock.now()
    check = ReconcileCheck(
        run_id=run.id,
        account_id=account.id,
        checked_at=now,
        status=result.status,
        connector=result.connector,
        holders=result.holders,
        grants=result.grants,
        error=result.error,
    )
    session.add(check)
    session.flush()
    for item in result.drift:
        session.add(
            DriftItem(
                run_id=run.id,
                check_id=check.id,
                account_id=account.id,
                account_name=account.name,
                platform=account.platform,
                kind=item["kind"],
                person_id=item["person_id"],
                grant_id=item["grant_id"],
                email=item["email"],
                platform_id=item["platform_id"],
                holder_name=item["name"],
                role=item["role"],
                found_at=now,
            )
        )
        record(
            session,
            clock,
            actor=actor,
            action=f"reconcile.drift.{item['kind']}",
            target_type="account",
            target=account.name,
            run_id=run.id,
            details={k: item[k] for k in ("email", "platform_id", "name", "role", "grant_id")},
        )
    session.flush()
