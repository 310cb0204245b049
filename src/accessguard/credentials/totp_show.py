"""Show a pending 2FA seed to an operator once, when the run that issued it had no terminal.

Vault's TOTP engine hands a generated seed back only when it generates it, so the seed a
re-enrolment issued without a terminal (cron, `leavers run`) can never be read back.
Showing it means issuing a fresh pending seed in its place (nobody saw the old one, so
nobody can have enrolled it), returning its ``otpauth://`` URI once, and recording it as
an exposure of the operator who asked. A pending seed shown this way is never shown
again: asking twice is refused (`totp regenerate` starts over).
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from accessguard.audit.actions import AuditAction
from accessguard.clock import Clock
from accessguard.credentials.custody_events import audit_seed
from accessguard.credentials.exposure import record_exposure
from accessguard.credentials.fields import TOTP_SEED
from accessguard.credentials.records import get_totp_key
from accessguard.credentials.totp import ISSUER
from accessguard.credentials.totp_keys import free_key_name, update_key
from accessguard.db import tables
from accessguard.errors import ConflictError
from accessguard.inventory.records import AccountRecord, PersonRecord
from accessguard.secret import Secret
from accessguard.vault.facade import Vault

#: The exposure reason of a seed shown by `totp show-qr` (how a second showing is refused).
SHOWN = "show-qr"


def show_pending(
    conn: Connection,
    clock: Clock,
    *,
    vault: Vault,
    account: AccountRecord,
    person: PersonRecord,
    actor: str,
) -> Secret:
    """A fresh pending seed for ``account`` in place of the unseen one; its URI, once.

    Refused when no re-enrolment is pending, or when this pending seed was already shown.
    """
    key = get_totp_key(conn, account)
    if not key.pending_key_name or key.pending_generation is None:
        raise ConflictError(
            f"{account.name} has no 2FA re-enrolment pending: there is no new seed to show",
            code="no-pending-seed",
        )
    exposures = tables.exposures.c
    shown = conn.execute(
        select(exposures.actor, exposures.occurred_at).where(
            exposures.totp_key_id == key.id,
            exposures.version == key.pending_generation,
            exposures.kind == "seed-shown",
            exposures.reason == SHOWN,
        )
    ).first()
    if shown is not None:
        raise ConflictError(
            f"the pending 2FA seed of {account.name} was already shown (to {shown.actor} at "
            f"{shown.occurred_at:%Y-%m-%d %H:%M} UTC) and is never shown twice",
            hint=f"to start over with a new seed: `accessguard totp regenerate {account.name}`",
            code="seed-already-shown",
        )
    old_name, generation = key.pending_key_name, key.pending_generation + 1
    name = free_key_name(vault, account, generation=generation)
    uri = vault.totp.generate(name, issuer=ISSUER, account_name=account.handle)
    # The run's idempotency key stays: its item is the same re-enrolment, with this seed.
    update_key(conn, key.id, pending_key_name=name, pending_generation=generation)
    details = {"key_name": name, "generation": generation, "replaces": old_name}
    audit_seed(conn, clock, AuditAction.TOTP_SHOW_QR, account, actor, details)
    record_exposure(
        conn,
        clock,
        person=person,
        kind="seed-shown",
        fields=[TOTP_SEED],
        version=generation,
        actor=actor,
        account=account,
        reason=SHOWN,
        totp_key_id=key.id,
    )
    vault.totp.delete(old_name)
    return uri
