"""Phase 2 of a rotation: confirm the pending version once the platform has it, or roll back.

Rolling back writes the previous value again as a NEW version (check-and-set), so the
history in Vault only ever grows.
"""

from __future__ import annotations

from sqlalchemy import Connection

from accessguard.audit.actions import AuditAction
from accessguard.clock import Clock
from accessguard.credentials.compose import Covering, covered
from accessguard.credentials.custody_events import audit_login
from accessguard.credentials.records import get_credential
from accessguard.credentials.versions import (
    activate_version,
    mark_version,
    set_state,
    settled_metadata,
)
from accessguard.errors import ConflictError
from accessguard.inventory.records import AccountRecord
from accessguard.results import ActionResult
from accessguard.vault.facade import Vault


def confirm(
    conn: Connection,
    clock: Clock,
    *,
    vault: Vault,
    account: AccountRecord,
    actor: str,
    run_id: str | None = None,
    version: int | None = None,
) -> ActionResult:
    """Phase 2: the platform has the new password; mark it active (unchanged if not pending).

    ``version`` (a run item's own rotation) confirms that version only: when another
    rotation is pending meanwhile, it is left alone and this item's version is checked.
    """
    credential = get_credential(conn, account)
    if version is not None and version != credential.current_version:
        return covered(conn, account, Covering.of(account.name, version, None))
    if not credential.pending:
        return ActionResult.unchanged(
            f"{account.name} has no pending rotation",
            account=account.name,
            version=credential.current_version,
        )
    now = clock.now()
    vault.kv.set_custom_metadata(
        credential.vault_path,
        {
            "state": "active",
            "confirmed_at": now.isoformat(),
            "confirmed_by": actor,
            "pending_version": None,
        },
    )
    set_state(conn, credential.id, state="active")
    mark_version(conn, credential.id, version=credential.current_version, state="active")
    if credential.previous_version is not None:
        mark_version(conn, credential.id, version=credential.previous_version, state="superseded")
    details = {"version": credential.current_version}
    audit_login(conn, clock, AuditAction.CREDENTIAL_CONFIRM, account, actor, details, run_id=run_id)
    return ActionResult.changed(
        f"version {credential.current_version} of {account.name} is active",
        account=account.name,
        version=credential.current_version,
    )


def rollback(
    conn: Connection,
    clock: Clock,
    *,
    vault: Vault,
    account: AccountRecord,
    actor: str,
    reason: str | None = None,
    run_id: str | None = None,
) -> ActionResult:
    """Undo a pending rotation: write the previous value again as a NEW version (check-and-set)."""
    credential = get_credential(conn, account)
    if not credential.pending or credential.previous_version is None:
        raise ConflictError(
            f"{account.name} has no pending rotation to roll back",
            hint="rollback undoes a rotation before `creds confirm`; store a value with `creds set`",
            code="nothing-to-roll-back",
        )
    previous = credential.previous_version
    pending = credential.current_version
    old = vault.kv.read(credential.vault_path, previous)
    values = old.public_values()
    version = vault.kv.write(credential.vault_path, values, cas=pending)
    now = clock.now()
    why = reason or f"rollback of version {pending}"
    vault.kv.set_custom_metadata(
        credential.vault_path,
        settled_metadata(
            at=now, actor=actor, reason=why, run_id=run_id, restored_from=str(previous)
        ),
    )
    mark_version(conn, credential.id, version=pending, state="rolled-back")
    activate_version(
        conn,
        clock,
        credential_id=credential.id,
        version=version,
        at=now,
        actor=actor,
        reason=why,
        run_id=run_id,
        restored_from=previous,
    )
    mark_version(conn, credential.id, version=previous, state="superseded")
    details = {"version": version, "restored_from": previous, "rolled_back": pending}
    audit_login(
        conn, clock, AuditAction.CREDENTIAL_ROLLBACK, account, actor, details, run_id=run_id
    )
    return ActionResult.changed(
        f"{account.name}: version {previous}'s value restored as version {version}",
        account=account.name,
        version=version,
        restored_from=previous,
    )
