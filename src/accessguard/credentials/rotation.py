"""Phase 1 of a two-phase rotation: a new password as a pending Vault version (settle.py: phase 2).

Crash safety: the new version carries its idempotency key inside the Vault data
(``_idempotency_key``), written atomically with the value. A rotation repeated with
the same key after a crash finds that version and only brings the database in line,
so a killed process never produces a second version, and the password is in Vault
before anything else refers to it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.credentials.common import get_credential, set_current
from accessguard.credentials.models import Credential, CredentialVersion
from accessguard.credentials.passwords import generate_password
from accessguard.credentials.store import add_version
from accessguard.errors import CasConflictError, ConflictError, VaultNotFoundError
from accessguard.inventory.models import Account
from accessguard.results import ActionResult
from accessguard.secret import Secret
from accessguard.vault.facade import KvMetadata, Vault

KEY_FIELD = "_idempotency_key"


@dataclass(frozen=True)
class RotationTarget:
    """What a rotation needs from the database, read in a short transaction.

    The Vault round trips happen between reading this and recording the result, outside
    any database transaction, so concurrent rotations do not queue on the database.
    """

    credential_id: int
    account_id: int
    account_name: str
    platform: str
    handle: str
    vault_path: str
    current_version: int
    pending: bool


def rotation_target(session: Session, account: Account) -> RotationTarget:
    """Read the credential of ``account`` (NotFoundError when none is stored)."""
    credential = get_credential(session, account)
    return RotationTarget(
        credential.id,
        account.id,
        account.name,
        account.platform,
        account.handle,
        credential.vault_path,
        credential.current_version,
        credential.state == "rotation-pending",
    )


def already_rotated(session: Session, target: RotationTarget, key: str) -> ActionResult | None:
    """``unchanged`` when the database already records the rotation made with ``key``."""
    done = session.execute(
        select(CredentialVersion).where(
            CredentialVersion.credential_id == target.credential_id,
            CredentialVersion.idempotency_key == key,
        )
    ).scalar_one_or_none()
    if done is None:
        return None
    return ActionResult.unchanged(
        f"{target.account_name} was already rotated to version {done.version}",
        account=target.account_name,
        version=done.version,
    )


def _pending_conflict(target: RotationTarget) -> ConflictError:
    return ConflictError(
        f"a rotation of {target.account_name} is already pending (version "
        f"{target.current_version})",
        hint=f"`accessguard creds confirm {target.account_name}` once the platform has it, "
        f"or `accessguard creds rollback {target.account_name}`",
        code="rotation-pending",
    )


def _find_written(
    vault: Vault, target: RotationTarget, key: str, meta: KvMetadata | None
) -> int | None:
    """A Vault version newer than the database's that carries ``key`` (a crashed rotation)."""
    if meta is None:
        return None
    for version in range(target.current_version + 1, meta.current_version + 1):
        try:
            secret = vault.kv_read(target.vault_path, version)
        except VaultNotFoundError:
            continue
        stored = secret.values.get(KEY_FIELD)
        if stored is not None and stored.reveal() == key:
            return version
    return None


def _adopt(
    session: Session,
    clock: Clock,
    credential: Credential,
    account: Account,
    version: int,
    *,
    actor: str,
    reason: str,
    run_id: str | None,
    key: str,
    recovered: bool,
) -> ActionResult:
    previous = credential.current_version
    set_current(
        credential, version, previous=previous, state="rotation-pending", at=clock.now(), by=actor
    )
    add_version(
        session,
        clock,
        credential,
        version,
        state="pending",
        actor=actor,
        reason=reason,
        run_id=run_id,
        idempotency_key=key,
    )
    record(
        session,
        clock,
        actor=actor,
        action="credential.rotate",
        target_type="credential",
        target=account.name,
        run_id=run_id,
        details={
            "version": version,
            "previous_version": previous,
            "reason": reason,
            "recovered": recovered,
        },
    )
    return ActionResult.changed(
        f"new password for {account.name} stored as version {version} (pending): set it on "
        f"the platform, then confirm",
        account=account.name,
        version=version,
        previous_version=previous,
        new_version=not recovered,
    )


def _mark_pending(
    vault: Vault,
    target: RotationTarget,
    meta: KvMetadata | None,
    *,
    clock: Clock,
    version: int,
    actor: str,
    reason: str,
    run_id: str | None,
    key: str,
) -> None:
    """Vault's ``custom_metadata`` for a pending rotation to ``version``."""
    vault.kv_set_custom_metadata(
        target.vault_path,
        {
            "account_id": str(target.account_id),
            "state": "pending",
            "rotated_at": clock.now().isoformat(),
            "rotated_by": actor,
            "reason": reason,
            "run_id": run_id,
            "pending_version": str(version),
            "idempotency_key": key,
        },
        current=meta,
    )


def write_new_version(
    vault: Vault,
    clock: Clock,
    target: RotationTarget,
    *,
    key: str,
    actor: str,
    reason: str,
    run_id: str | None,
    length: int = 24,
) -> tuple[int, bool]:
    """The Vault half of phase 1 (no database): returns (version, recovered).

    A version already carrying ``key`` (written before a crash or outage) is reused;
    otherwise a new password is written with check-and-set against the version the
    database knows. Either way the pending state is put in ``custom_metadata``.
    """
    meta = vault.kv_metadata(target.vault_path)
    written = _find_written(vault, target, key, meta)
    recovered = written is not None
    if written is None:
        if target.pending:
            raise _pending_conflict(target)
        old = vault.kv_read(target.vault_path, target.current_version)
        values: dict[str, Secret | str] = dict(old.public_values())
        values["password"] = generate_password(target.platform, length)
        values[KEY_FIELD] = key
        try:
            written = vault.kv_write(target.vault_path, values, cas=target.current_version)
        except CasConflictError as exc:
            raise CasConflictError(
                f"another rotation of {target.account_name} won the race; nothing was overwritten",
                hint=exc.hint,
            ) from None
    _mark_pending(
        vault,
        target,
        meta,
        clock=clock,
        version=written,
        actor=actor,
        reason=reason,
        run_id=run_id,
        key=key,
    )
    return written, recovered


def record_rotation(
    session: Session,
    clock: Clock,
    account: Account,
    target: RotationTarget,
    version: int,
    *,
    actor: str,
    reason: str,
    run_id: str | None,
    key: str,
    recovered: bool,
) -> ActionResult:
    """The database half of phase 1: point the credential at the new pending version."""
    done = already_rotated(session, target, key)
    if done is not None:
        return done
    credential = get_credential(session, account)
    if credential.current_version != target.current_version:
        raise CasConflictError(
            f"{account.name} changed while it was being rotated (now version "
            f"{credential.current_version}); version {version} is kept in Vault",
            hint="check `accessguard creds status`, then confirm or roll back",
        )
    return _adopt(
        session,
        clock,
        credential,
        account,
        version,
        actor=actor,
        reason=reason,
        run_id=run_id,
        key=key,
        recovered=recovered,
    )


def rotate(
    session: Session,
    clock: Clock,
    vault: Vault,
    account: Account,
    *,
    actor: str,
    reason: str,
    run_id: str | None = None,
    idempotency_key: str | None = None,
    length: int = 24,
) -> ActionResult:
    """Phase 1: a strong new password as a new pending Vault version (check-and-set)."""
    target = rotation_target(session, account)
    reason = reason or "rotation"
    if idempotency_key and (done := already_rotated(session, target, idempotency_key)):
        return done
    key = idempotency_key or uuid.uuid4().hex
    version, recovered = write_new_version(
        vault, clock, target, key=key, actor=actor, reason=reason, run_id=run_id, length=length
    )
    return record_rotation(
        session,
        clock,
        account,
        target,
        version,
        actor=actor,
        reason=reason,
        run_id=run_id,
        key=key,
        recovered=recovered,
    )
