"""Lock-out facts fetched from the platforms and kept for the findings: Workspace super admins.

``scan_workspaces`` asks each Google Workspace account's Directory API for its super
admins and replaces what the last scan recorded (``workspace_scans``,
``workspace_admins``); the findings (``findings/workspace.py``) read those rows, so a
report without ``--fetch-lockout`` shows the last scan, and an account never scanned
has no Workspace finding. A scan only reads the platform: nothing there changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, insert, select

from accessguard.connectors.google_workspace import GoogleWorkspaceConnector, SuperAdmin
from accessguard.connectors.registry import build_connector, connector_name
from accessguard.db.tables import accounts as _ACCOUNTS
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


def workspace_accounts(conn: Connection) -> list[AccountRecord]:
    """Accounts managed by the ``google_workspace`` connector."""
    return [a for a in list_accounts(conn) if connector_name(a) == GoogleWorkspaceConnector.name]


def scan_workspaces(conn: Connection, app: App, *, now: datetime) -> list[WorkspaceScan]:
    """Fetch every Workspace account's super admins, then record them (all fetched first)."""
    fetched: list[tuple[AccountRecord, list[SuperAdmin]]] = []
    for account in workspace_accounts(conn):
        connector = build_connector(app, account)
        if isinstance(connector, GoogleWorkspaceConnector):
            fetched.append((account, connector.super_admins()))
    for account, admins in fetched:
        record_scan(conn, account.id, admins=admins, now=now)
    return [WorkspaceScan(a.name, now, tuple(admins)) for a, admins in fetched]


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
