"""Non-secret state of shared logins and 2FA seeds, in the stable JSON shapes of `status`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, select

from accessguard.credentials.records import get_credential
from accessguard.db import tables
from accessguard.inventory.records import AccountRecord


def iso(value: datetime | None) -> str | None:
    """ISO text or None."""
    return value.isoformat() if value else None


def credential_status(
    conn: Connection, account: AccountRecord | None = None
) -> list[dict[str, Any]]:
    """Non-secret state of stored credentials (one account or all)."""
    creds, accounts, versions = (
        tables.credentials.c,
        tables.accounts.c,
        tables.credential_versions.c,
    )
    query = (
        select(
            creds.vault_path,
            creds.state,
            creds.current_version,
            creds.previous_version,
            creds.rotated_at,
            creds.rotated_by,
            accounts.name,
            accounts.platform,
            versions.created_at.label("current_since"),
            versions.reason,
        )
        .join(tables.accounts, accounts.id == creds.account_id)
        .outerjoin(
            tables.credential_versions,
            and_(
                versions.credential_id == creds.id,
                versions.version == creds.current_version,
            ),
        )
        .order_by(accounts.name)
    )
    if account is not None:
        query = query.where(creds.account_id == account.id)
    rows = [
        {
            "account": row.name,
            "platform": row.platform,
            "vault_path": row.vault_path,
            "state": row.state,
            "current_version": row.current_version,
            "previous_version": row.previous_version,
            "rotated_at": iso(row.rotated_at),
            "rotated_by": row.rotated_by,
            "current_since": iso(row.current_since),
            "reason": row.reason,
        }
        for row in conn.execute(query)
    ]
    if account is not None and not rows:
        get_credential(conn, account)  # raises the not-found error with its fix
    return rows


def totp_status(conn: Connection) -> list[dict[str, Any]]:
    """Every account with its seed custody state (accounts without a seed included)."""
    accounts, keys = tables.accounts.c, tables.totp_keys.c
    rows = conn.execute(
        select(
            accounts.name,
            accounts.platform,
            keys.id.label("key_id"),
            keys.retired_at,
            keys.key_name,
            keys.generation,
            keys.pending_generation,
            keys.exported,
            keys.exported_at,
            keys.exported_by,
            keys.personal_device,
            keys.enrolled_at,
        )
        .outerjoin(tables.totp_keys, keys.account_id == accounts.id)
        .order_by(accounts.name)
    )
    return [
        {
            "account": r.name,
            "platform": r.platform,
            "in_custody": r.key_id is not None and r.retired_at is None,
            "key_name": r.key_name,
            "generation": r.generation,
            "pending_generation": r.pending_generation,
            "exported": bool(r.exported),
            "exported_at": iso(r.exported_at),
            "exported_by": r.exported_by,
            "personal_device": bool(r.personal_device),
            "enrolled_at": iso(r.enrolled_at),
        }
        for r in rows
    ]
