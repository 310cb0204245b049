"""The audit events of credential custody: an account's shared login or its 2FA seed.

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


class _Custody:
    """Writes the audit events of one custody target type, each named by its account."""

    def __init__(self, target_type: str) -> None:
        self.target_type = target_type

    def __call__(
        self,
        conn: Connection,
        clock: Clock,
        action: AuditAction,
        account: AccountRecord,
        actor: str,
        details: dict[str, Any],
        *,
        run_id: str | None = None,
    ) -> None:
        """Append the event in the caller's transaction (``record``'s redaction and keying)."""
        event = Event(actor, action, self.target_type, account.name, details, run_id)
        record_many(conn, clock, [event])


#: The audit event of a change to an account's shared login.
audit_login = _Custody("credential")
#: The audit event of a change to an account's 2FA seed.
audit_seed = _Custody("totp")
