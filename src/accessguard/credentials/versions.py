"""Writes to credentials and their versions (Core statements), the Vault metadata of a change,
and the not-found error."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from accessguard.clock import Clock
from accessguard.db import tables
from accessguard.errors import NotFoundError


def credential_not_found(account_name: str) -> NotFoundError:
    """The error for an account without a stored shared login, with the fix."""
    return NotFoundError(
        f"no shared login stored for {account_name}",
        hint=f"store one with `accessguard creds set {account_name}`",
        code="credential-not-found",
    )


def add_versions(
    conn: Connection,
    clock: Clock,
    *,
    versions: Sequence[tuple[int, int, str | None]],
    state: str,
    actor: str,
    reason: str | None,
    run_id: str | None = None,
    restored_from: int | None = None,
) -> None:
    """Record new Vault versions, as (credential id, version, idempotency key); set-based.

    Each replaces its credential's open version now (an active one becomes superseded
    when the new one is active too).
    """
    if not versions:
        return
    now = clock.now()
    table = tables.credential_versions
    still_open = (
        table.c.credential_id.in_([credential_id for credential_id, _, _ in versions]),
        table.c.superseded_at.is_(None),
    )
    if state == "active":
        conn.execute(
            update(table).where(*still_open, table.c.state == "active").values(state="superseded")
        )
    conn.execute(update(table).where(*still_open).values(superseded_at=now))
    rows = [
        {
            "credential_id": credential_id,
            "version": version,
            "created_at": now,
            "state": state,
            "reason": reason,
            "run_id": run_id,
            "rotated_by": actor,
            "restored_from": restored_from,
            "idempotency_key": key,
            "superseded_at": None,
        }
        for credential_id, version, key in versions
    ]
    conn.execute(insert(table), rows)


def insert_credential(
    conn: Connection, account_id: int, *, vault_path: str, version: int, at: datetime, by: str
) -> int:
    """A new credential row, active at ``version`` (Vault already holds it); its id."""
    row = conn.execute(
        insert(tables.credentials)
        .values(
            account_id=account_id,
            vault_path=vault_path,
            current_version=version,
            previous_version=None,
            state="active",
            rotated_at=at,
            rotated_by=by,
            created_at=at,
        )
        .returning(tables.credentials.c.id)
    ).one()
    return int(row.id)


def set_current(
    conn: Connection,
    credential_id: int,
    *,
    version: int,
    previous: int | None,
    state: str,
    at: datetime,
    by: str,
) -> None:
    """Point the credential at ``version`` (Vault already holds it)."""
    conn.execute(
        update(tables.credentials)
        .where(tables.credentials.c.id == credential_id)
        .values(
            current_version=version,
            previous_version=previous,
            state=state,
            rotated_at=at,
            rotated_by=by,
        )
    )


def activate_version(
    conn: Connection,
    clock: Clock,
    *,
    credential_id: int,
    version: int,
    at: datetime,
    actor: str,
    reason: str | None,
    run_id: str | None = None,
    restored_from: int | None = None,
) -> None:
    """Make ``version`` (Vault already holds it) the credential's one active version, recorded.

    What storing, adopting and rolling back a login share: no rotation stays pending.
    """
    set_current(
        conn, credential_id, version=version, previous=None, state="active", at=at, by=actor
    )
    add_versions(
        conn,
        clock,
        versions=[(credential_id, version, None)],
        state="active",
        actor=actor,
        reason=reason,
        run_id=run_id,
        restored_from=restored_from,
    )


def login_metadata(
    *,
    state: str,
    at: datetime,
    actor: str,
    reason: str | None,
    run_id: str | None,
    **more: str | None,
) -> dict[str, str | None]:
    """The ``custom_metadata`` a change writes on a login's Vault path: state, when, who, why, run."""
    return {
        "state": state,
        "rotated_at": at.isoformat(),
        "rotated_by": actor,
        "reason": reason,
        "run_id": run_id,
        **more,
    }


def settled_metadata(
    *, at: datetime, actor: str, reason: str, run_id: str | None, **more: str | None
) -> dict[str, str | None]:
    """``login_metadata`` of a version made active outside a confirm (adopted, rolled back):
    no rotation is pending any more."""
    return login_metadata(
        state="active",
        at=at,
        actor=actor,
        reason=reason,
        run_id=run_id,
        pending_version=None,
        **more,
    )


def set_state(conn: Connection, credential_id: int, *, state: str) -> None:
    """Set the credential's state only (a confirmed rotation becomes ``active``)."""
    conn.execute(
        update(tables.credentials)
        .where(tables.credentials.c.id == credential_id)
        .values(state=state)
    )


def mark_version(conn: Connection, credential_id: int, *, version: int, state: str) -> None:
    """Set the state of one version's row, if it has one."""
    table = tables.credential_versions
    conn.execute(
        update(table)
        .where(table.c.credential_id == credential_id, table.c.version == version)
        .values(state=state)
    )


def version_state(conn: Connection, credential_id: int, version: int) -> str | None:
    """The recorded state of one version (pending, active, superseded, rolled-back), or None."""
    table = tables.credential_versions
    return conn.execute(
        select(table.c.state).where(
            table.c.credential_id == credential_id, table.c.version == version
        )
    ).scalar_one_or_none()
