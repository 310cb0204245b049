"""Phase 2 of a rotation: confirm the pending version once the platform has it, or roll back.

Rolling back writes the previous value again as a NEW version (check-and-set), so the
history in Vault only ever grows.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.credentials.common import get_credential, mark_version, set_current
from accessguard.credentials.store import add_version
from accessguard.errors import ConflictError
from accessguard.inventory.models import Account
from accessguard.results import ActionResult
from accessguard.vault.facade import Vault


def confirm(
    session: Session,
    clock: Clock,
    vault: Vault,
    account: Account,
    *,
    actor: str,
    run_id: str | None = None,
) -> ActionResult:
    """Phase 2: the platform has the new password; mark it active (unchanged if not pending)."""
    credential = get_credential(session, account)
    if credential.state != "rotation-pending":
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
    credential.state = "active"
    mark_version(session, credential, credential.current_version, "active")
    if credential.previous_version is not None:
        mark_version(session, credential, credential.previous_version, "superseded")
    record(
        session,
        clock,
        actor=actor,
        action="credential.confirm",
        target_type="credential",
        target=account.name,
        run_id=run_id,
        details={"version": credential.current_version},
    )
    return ActionResult.changed(
        f"version {credential.current_version} of {account.name} is active",
        account=account.name,
        version=credential.current_version,
    )


def rollback(
    session: Session,
    clock: Clock,
    vault: Vault,
    account: Account,
    *,
    actor: str,
    reason: str | None = None,
    run_id: str | None = None,
) -> ActionResult:
    """Undo a pending rotation: write the previous value again as a NEW version (check-and-set)."""
    credential = get_credential(session, account)
    if credential.state != "rotation-pending" or credential.previous_version is None:
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
    vault.kv.set_custom_metadata(
        credential.vault_path,
        {
            "state": "active",
            "rotated_at": now.isoformat(),
            "rotated_by": actor,
            "reason": reason or f"rollback of version {pending}",
            "pending_version": None,
            "restored_from": str(previous),
            "run_id": run_id,
        },
    )
    mark_version(session, credential, pending, "rolled-back")
    add_version(
        session,
        clock,
        credential,
        version,
        state="active",
        actor=actor,
        reason=reason or f"rollback of version {pending}",
        run_id=run_id,
        restored_from=previous,
    )
    mark_version(session, credential, previous, "superseded")
    set_current(credential, version, previous=None, state="active", at=now, by=actor)
    record(
        session,
        clock,
        actor=actor,
        action="credential.rollback",
        target_type="credential",
        target=account.name,
        run_id=run_id,
        details={"version": version, "restored_from": previous, "rolled_back": pending},
    )
    return ActionResult.changed(
        f"{account.name}: version {previous}'s value restored as version {version}",
        account=account.name,
        version=version,
        restored_from=previous,
    )
