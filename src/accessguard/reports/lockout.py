"""Lock-out facts fetched from the platforms and kept for the findings.

``scan_lockout`` asks each Google Workspace account's Directory API for its super admins
(``workspace_scans``, ``workspace_admins``) and each Meta account's business for its 2FA
requirement and its business users' 2FA status and pending email changes
(``meta_scans``, ``meta_business_users``). Everything is fetched first and recorded
after, so a platform failing halfway leaves the last scan as it was; each account's
new scan replaces its last. The findings (``findings/workspace.py``,
``findings/meta.py``) read those rows, so a report without ``--fetch-lockout`` shows the
last scan, and an account never scanned has no such finding. A scan only reads the
platforms: nothing there changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, insert, select

from accessguard.connectors.google_workspace import GoogleWorkspaceConnector, SuperAdmin
from accessguard.connectors.meta import MetaConnector
from accessguard.connectors.meta_lockout import BusinessUserFacts, MetaLockout
from accessguard.connectors.registry import build_connector, connector_name
from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import meta_business_users as _META_USERS
from accessguard.db.tables import meta_scans as _META_SCANS
from accessguard.db.tables import workspace_admins as _ADMINS
from accessguard.db.tables import workspace_scans as _SCANS
from accessguard.inventory.accounts import list_accounts
from accessguard.inventory.records import AccountRecord

if TYPE_CHECKING:
    from accessguard.app import App


@dataclass(frozen=True, slots=True)
class WorkspaceScan:
    """One account's last scan: when, and the super admins it saw."""

    account: str
    scanned_at: datetime
    admins: tuple[SuperAdmin, ...]


@dataclass(frozen=True, slots=True)
class MetaScan:
    """One Meta account's last scan: when, and what its business showed."""

    account: str
    scanned_at: datetime
    business: MetaLockout


@dataclass(frozen=True, slots=True)
class LockoutScan:
    """What one ``--fetch-lockout`` fetched and recorded."""

    workspaces: tuple[WorkspaceScan, ...]
    metas: tuple[MetaScan, ...]

    def describe(self) -> str:
        """``2 Google Workspace and 1 Meta account(s)``, for the progress line."""
        return f"{len(self.workspaces)} Google Workspace and {len(self.metas)} Meta account(s)"


def _accounts_of(conn: Connection, connector: str) -> list[AccountRecord]:
    return [a for a in list_accounts(conn) if connector_name(a) == connector]


def workspace_accounts(conn: Connection) -> list[AccountRecord]:
    """Accounts managed by the ``google_workspace`` connector."""
    return _accounts_of(conn, GoogleWorkspaceConnector.name)


def meta_accounts(conn: Connection) -> list[AccountRecord]:
    """Accounts managed by the ``meta`` connector."""
    return _accounts_of(conn, MetaConnector.name)


def scan_lockout(conn: Connection, app: App, *, now: datetime) -> LockoutScan:
    """Fetch every Workspace and Meta account's lock-out facts, then record them all.

    Meta accounts of one business (portfolio, Page, Instagram account) share one fetch.
    A platform error raises before anything is recorded: the last scan stays whole.
    """
    workspaces: list[tuple[AccountRecord, list[SuperAdmin]]] = []
    for account in workspace_accounts(conn):
        connector = build_connector(app, account)
        if isinstance(connector, GoogleWorkspaceConnector):
            workspaces.append((account, connector.super_admins()))
    metas: list[tuple[AccountRecord, MetaLockout]] = []
    seen: dict[tuple[str, str], MetaLockout] = {}  # accounts of one business: one fetch
    for account in meta_accounts(conn):
        meta = build_connector(app, account)
        if isinstance(meta, MetaConnector):
            key = (meta.base_url, str(meta.settings["business_id"]))
            if key not in seen:
                seen[key] = meta.lockout()
            metas.append((account, seen[key]))
    for account, admins in workspaces:
        record_scan(conn, account.id, admins=admins, now=now)
    for account, business in metas:
        record_meta_scan(conn, account.id, business=business, now=now)
    return LockoutScan(
        tuple(WorkspaceScan(a.name, now, tuple(admins)) for a, admins in workspaces),
        tuple(MetaScan(a.name, now, business) for a, business in metas),
    )


def record_scan(
    conn: Connection, account_id: int, *, admins: Sequence[SuperAdmin], now: datetime
) -> None:
    """Replace the account's recorded super admins with ``admins``, scanned at ``now``."""
    conn.execute(delete(_ADMINS).where(_ADMINS.c.account_id == account_id))
    conn.execute(delete(_SCANS).where(_SCANS.c.account_id == account_id))
    conn.execute(insert(_SCANS).values(account_id=account_id, scanned_at=now))
    if admins:
        conn.execute(
            insert(_ADMINS),
            [
                {
                    "account_id": account_id,
                    "email": a.email,
                    "enrolled_2sv": a.enrolled_2sv,
                    "recovery_email": a.recovery_email,
                    "recovery_phone": a.recovery_phone,
                }
                for a in admins
            ],
        )


def recorded_scans(conn: Connection) -> list[WorkspaceScan]:
    """Every account's last scan with its super admins, by account name."""
    scans = conn.execute(
        select(_ACCOUNTS.c.id, _ACCOUNTS.c.name, _SCANS.c.scanned_at)
        .join(_SCANS, _SCANS.c.account_id == _ACCOUNTS.c.id)
        .order_by(_ACCOUNTS.c.name)
    ).all()
    admins: dict[int, list[SuperAdmin]] = {}
    query = select(_ADMINS).order_by(_ADMINS.c.account_id, _ADMINS.c.email)
    for row in conn.execute(query):
        admins.setdefault(row.account_id, []).append(
            SuperAdmin(row.email, row.enrolled_2sv, row.recovery_email, row.recovery_phone)
        )
    return [WorkspaceScan(s.name, s.scanned_at, tuple(admins.get(s.id, []))) for s in scans]


def record_meta_scan(
    conn: Connection, account_id: int, *, business: MetaLockout, now: datetime
) -> None:
    """Replace the account's recorded Meta business facts with ``business``, scanned at ``now``."""
    conn.execute(delete(_META_USERS).where(_META_USERS.c.account_id == account_id))
    conn.execute(delete(_META_SCANS).where(_META_SCANS.c.account_id == account_id))
    conn.execute(
        insert(_META_SCANS).values(
            account_id=account_id,
            scanned_at=now,
            business_id=business.business_id,
            business_name=business.business_name,
            two_factor_type=business.two_factor_type,
        )
    )
    if business.users:
        conn.execute(
            insert(_META_USERS),
            [
                {
                    "account_id": account_id,
                    "user_id": u.user_id,
                    "name": u.name,
                    "email": u.email,
                    "role": u.role,
                    "two_fac_status": u.two_fac_status,
                    "pending_email": u.pending_email,
                }
                for u in business.users
            ],
        )


def recorded_meta_scans(conn: Connection) -> list[MetaScan]:
    """Every Meta account's last scan with its business users, by account name."""
    scans = conn.execute(
        select(_ACCOUNTS.c.id, _ACCOUNTS.c.name, _META_SCANS)
        .join(_META_SCANS, _META_SCANS.c.account_id == _ACCOUNTS.c.id)
        .order_by(_ACCOUNTS.c.name)
    ).all()
    users: dict[int, list[BusinessUserFacts]] = {}
    query = select(_META_USERS).order_by(_META_USERS.c.account_id, _META_USERS.c.user_id)
    for row in conn.execute(query):
        users.setdefault(row.account_id, []).append(
            BusinessUserFacts(
                row.user_id, row.name, row.email, row.role, row.two_fac_status, row.pending_email
            )
        )
    return [
        MetaScan(
            s.name,
            s.scanned_at,
            MetaLockout(
                s.business_id, s.business_name, s.two_factor_type, tuple(users.get(s.id, []))
            ),
        )
        for s in scans
    ]
