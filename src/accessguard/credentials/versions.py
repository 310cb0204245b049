"""Credential versions and errors with Core statements only (shared by store and rotation)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, update

from accessguard.clock import Clock
from accessguard.db import tables
from accessguard.db.types import Executor
from accessguard.errors import NotFoundError


def credential_not_found(account_name: str) -> NotFoundError:
    """The error for an account without a stored shared login, with the fix."""
    return NotFoundError(
        f"no shared login stored for {account_name}",
        hint=f"store one with `accessguard creds set {account_name}`",
        code="credential-not-found",
    )


def add_versions(
    session: Executor,
    clock: Clock,
    versions: Sequence[tuple[int, int, str | None]],
    *,
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
        session.execute(
            update(table).where(*still_open, table.c.state == "active").values(state="superseded")
        )
    session.execute(update(table).where(*still_open).values(superseded_at=now))
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
    session.execute(insert(table), rows)
