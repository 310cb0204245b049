"""Phase 1 of a two-phase rotation: a new password as a pending Vault version (rotation_outcome.py: phase 2).

Crash safety: the new version carries its idempotency key inside the Vault data
(``_idempotency_key``), written atomically with the value. A rotation repeated with
the same key after a crash finds that version and only brings the database in line,
so a killed process never produces a second version, and the password is in Vault
before anything else refers to it.

Offboarding rotates many credentials at once: ``targets.load_targets`` reads them and
``record_rotations`` records them set-based (a few queries for the whole batch), and
``write_new_version`` costs two Vault round trips (a merge patch with check-and-set,
then the pending state in ``custom_metadata``) when the item is known to be fresh.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import Event, record_many
from accessguard.clock import Clock
from accessguard.credentials.compose import (
    KEY_FIELD,
    CoveredError,
    Covering,
    newer_writes,
    pending_coverings,
)
from accessguard.credentials.passwords import generate_password
from accessguard.credentials.targets import (
    RotationTarget,
    already_rotated,
    rotated_already,
    rotated_with,
    rotation_target,
)
from accessguard.credentials.versions import add_versions, credential_not_found, login_metadata
from accessguard.db.tables import credentials as _CREDENTIALS
from accessguard.errors import AccessGuardError, CasConflictError, VaultNotFoundError
from accessguard.inventory.records import AccountRecord
from accessguard.results import ActionResult
from accessguard.secret import Secret
from accessguard.vault.facade import Vault
from accessguard.vault.kv import KvMetadata

__all__ = [
    "KEY_FIELD",
    "Written",
    "record_rotation",
    "record_rotations",
    "rotate",
    "write_new_version",
]


def _lost_race(vault: Vault, target: RotationTarget) -> AccessGuardError:
    """Why the check-and-set failed: another rotation (which covers this one) or an
    out-of-band write (raised by ``newer_writes``)."""
    covering = newer_writes(
        vault, target.vault_path, account=target.account_name, known=target.current_version
    )
    if covering is not None:
        return CoveredError(covering)
    return CasConflictError(
        f"Vault refused the new version of {target.account_name} (check-and-set against "
        f"version {target.current_version}); nothing was overwritten",
        hint=f"check `accessguard creds status {target.account_name}`",
    )


def _find_written(
    vault: Vault, target: RotationTarget, *, key: str, meta: KvMetadata | None
) -> int | None:
    """A Vault version newer than the database's that carries ``key`` (a crashed rotation)."""
    if meta is None:
        return None
    for version in range(target.current_version + 1, meta.current_version + 1):
        try:
            secret = vault.kv.read(target.vault_path, version)
        except VaultNotFoundError:
            continue
        stored = secret.values.get(KEY_FIELD)
        if stored is not None and stored.reveal() == key:
            return version
    return None


def _mark_pending(
    vault: Vault,
    target: RotationTarget,
    *,
    clock: Clock,
    version: int,
    actor: str,
    reason: str,
    run_id: str | None,
    key: str,
) -> None:
    """Vault's ``custom_metadata`` for a pending rotation to ``version``."""
    vault.kv.set_custom_metadata(
        target.vault_path,
        login_metadata(
            state="pending",
            at=clock.now(),
            actor=actor,
            reason=reason,
            run_id=run_id,
            account_id=str(target.account_id),
            pending_version=str(version),
            idempotency_key=key,
        ),
    )


def write_new_version(
    vault: Vault,
    clock: Clock,
    *,
    target: RotationTarget,
    key: str,
    actor: str,
    reason: str,
    run_id: str | None,
    length: int = 24,
    fresh: bool = False,
) -> tuple[int, bool]:
    """The Vault half of phase 1 (no database): returns (version, recovered).

    A version already carrying ``key`` (written before a crash or outage) is reused;
    otherwise a new password is merged into the version the database knows, with
    check-and-set against it. Either way the pending state is put in
    ``custom_metadata``. ``fresh`` says that nothing can have been written with ``key``
    yet (its first attempt, or a key just made up), which saves looking for it.
    """
    written = None
    if not fresh:
        written = _find_written(vault, target, key=key, meta=vault.kv.metadata(target.vault_path))
    recovered = written is not None
    if written is None:
        if target.pending:
            raise CoveredError(Covering.of(target.account_name, target.current_version, None))
        values: dict[str, Secret | str] = {
            "password": generate_password(target.platform, length),
            KEY_FIELD: key,
        }
        try:
            written = vault.kv.patch(target.vault_path, values, cas=target.current_version)
        except CasConflictError:
            raise _lost_race(vault, target) from None
    _mark_pending(
        vault,
        target,
        clock=clock,
        version=written,
        actor=actor,
        reason=reason,
        run_id=run_id,
        key=key,
    )
    return written, recovered


@dataclass(frozen=True)
class Written:
    """A new version in Vault (``write_new_version``), to record in the database."""

    target: RotationTarget
    version: int
    key: str
    recovered: bool


def record_rotations(
    conn: Connection,
    clock: Clock,
    *,
    written: Sequence[Written],
    actor: str,
    reason: str,
    run_id: str | None,
) -> list[ActionResult | AccessGuardError]:
    """The database half of phase 1, set-based: point each credential at its new pending version.

    Per item: ``unchanged`` when its key is already recorded, an error when the
    credential is gone or changed meanwhile (the version stays in Vault), else
    ``changed`` with one audit event.
    """
    ids = [w.target.credential_id for w in written]
    done = rotated_with(conn, ids, keys=[w.key for w in written])
    current = {
        credential_id: version
        for credential_id, version in conn.execute(
            select(_CREDENTIALS.c.id, _CREDENTIALS.c.current_version).where(
                _CREDENTIALS.c.id.in_(ids)
            )
        )
    }
    now = clock.now()
    results: list[ActionResult | AccessGuardError] = []
    adopted: list[tuple[int, int, str | None]] = []
    changes: list[dict[str, Any]] = []
    events = []
    for w in written:
        target, version = w.target, current.get(w.target.credential_id)
        if w.key in done:
            results.append(rotated_already(target, done[w.key]))
        elif version is None:
            results.append(credential_not_found(target.account_name))
        elif version != target.current_version:
            results.append(
                CasConflictError(
                    f"{target.account_name} changed while it was being rotated (now version "
                    f"{version}); version {w.version} is kept in Vault",
                    hint="check `accessguard creds status`, then confirm or roll back",
                )
            )
        else:
            changes.append(
                {
                    "b_id": target.credential_id,
                    "b_version": w.version,
                    "b_previous": version,
                    "b_at": now,
                }
            )
            adopted.append((target.credential_id, w.version, w.key))
            details = {
                "version": w.version,
                "previous_version": version,
                "reason": reason,
                "recovered": w.recovered,
            }
            events.append(
                Event(
                    actor,
                    AuditAction.CREDENTIAL_ROTATE,
                    "credential",
                    target.account_name,
                    details,
                    run_id,
                )
            )
            results.append(
                ActionResult.changed(
                    f"new password for {target.account_name} stored as version {w.version} "
                    "(pending): set it on the platform, then confirm",
                    account=target.account_name,
                    version=w.version,
                    previous_version=version,
                    new_version=not w.recovered,
                )
            )
    if changes:  # one executemany UPDATE by primary key (Core: no per-row ORM work)
        table = _CREDENTIALS
        conn.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                current_version=bindparam("b_version"),
                previous_version=bindparam("b_previous"),
                state="rotation-pending",
                rotated_at=bindparam("b_at", type_=table.c.rotated_at.type),
                rotated_by=actor,
            ),
            changes,
        )
    add_versions(
        conn, clock, versions=adopted, state="pending", actor=actor, reason=reason, run_id=run_id
    )
    record_many(conn, clock, events)
    return results


def record_rotation(
    conn: Connection,
    clock: Clock,
    *,
    target: RotationTarget,
    version: int,
    actor: str,
    reason: str,
    run_id: str | None,
    key: str,
    recovered: bool,
) -> ActionResult:
    """``record_rotations`` for one credential; its error is raised."""
    outcome = record_rotations(
        conn,
        clock,
        written=[Written(target, version, key, recovered)],
        actor=actor,
        reason=reason,
        run_id=run_id,
    )[0]
    if isinstance(outcome, AccessGuardError):
        raise outcome
    return outcome


def rotate(
    conn: Connection,
    clock: Clock,
    *,
    vault: Vault,
    account: AccountRecord,
    actor: str,
    reason: str,
    run_id: str | None = None,
    idempotency_key: str | None = None,
    length: int = 24,
) -> ActionResult:
    """Phase 1: a strong new password as a new pending Vault version (check-and-set)."""
    target = rotation_target(conn, account)
    reason = reason or "rotation"
    if idempotency_key and (done := already_rotated(conn, target, key=idempotency_key)):
        return done
    if target.pending:
        ids = [(target.credential_id, target.current_version, target.account_name)]
        raise CoveredError(pending_coverings(conn, ids)[target.credential_id])
    key = idempotency_key or uuid.uuid4().hex
    version, recovered = write_new_version(
        vault,
        clock,
        target=target,
        key=key,
        actor=actor,
        reason=reason,
        run_id=run_id,
        length=length,
        fresh=idempotency_key is None,
    )
    return record_rotation(
        conn,
        clock,
        target=target,
        version=version,
        actor=actor,
        reason=reason,
        run_id=run_id,
        key=key,
        recovered=recovered,
    )
