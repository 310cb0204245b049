"""The audit event of a change in credential custody: an account's shared login or its 2FA seed.

One target type each (``credential``, ``totp``), named by the account. Positional past
the second, against the house habit, on purpose: an event reads in ``record``'s order
(what, on which account, by whom, with what) and each call fits a line.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import Event, record_many
from accessguard.clock import Clock
from accessguard.inventory.records import AccountRecord


def audit_login(
    conn: Connection,
    clock: Clock,
    action: AuditAction,
    account: AccountRecord,
    actor: str,
    details: dict[str, Any],
    *,
    run_id: str | None = None,
) -> None:
    """The audit event of a change to ``account``'s shared login (in the caller's transaction)."""
    record_many(conn, clock, [Event(actor, action, "credential", account.name, details, run_id)])


def audit_seed(
    conn: Connection,
    clock: Clock,
    action: AuditAction,
    account: AccountRecord,
    actor: str,
    details: dict[str, Any],
    *,
    run_id: str | None = None,
) -> None:
    """The audit event of a change to ``account``'s 2FA seed (in the caller's transaction)."""
    record_many(conn, clock, [Event(actor, action, "totp", account.name, details, run_id)])
