"""TOTP custody: seeds live in Vault's TOTP engine; people get codes, never the seed.

A seed leaves Vault only when Vault generates it (``--generate``, ``regenerate``): the
``otpauth://`` URI is returned once to be shown to the operator, which is recorded as
that operator's exposure of the seed (``seed-shown``); a seed an operator pastes is
their exposure too (``seed-pasted``). Both stay current until the seed is re-enrolled
(an operator outside the inventory is named by the audit event alone). The key's
``exported`` mark is left by versions before 0010 only, and cleared by re-enrolment.
A regenerated seed is *pending* until the platform is re-enrolled (``confirm``), so
codes keep working from the old seed meanwhile and nobody is locked out.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

from sqlalchemy import Connection, insert

from accessguard.audit.actions import AuditAction
from accessguard.clock import Clock
from accessguard.credentials.custody_events import audit_seed
from accessguard.credentials.exposure import record_exposure
from accessguard.credentials.fields import TOTP_CODE, TOTP_SEED
from accessguard.credentials.observers import operator, require_reason
from accessguard.credentials.records import find_totp_key, get_totp_key
from accessguard.credentials.totp_keys import free_key_name, update_key
from accessguard.db import tables
from accessguard.errors import ConflictError, InputError
from accessguard.inventory.grants import record_use
from accessguard.inventory.records import AccountRecord, PersonRecord
from accessguard.results import ActionResult, Outcome
from accessguard.secret import Secret
from accessguard.vault.facade import Vault

ISSUER = "accessguard"


#: RFC 4226 section 4: a shared secret of at least 128 bits.
MIN_SEED_BYTES = 16


def _seed_bytes(seed: str) -> int:
    """How many bytes the base32 ``seed`` holds; an InputError (never echoing it) if none."""
    try:
        return len(base64.b32decode(seed + "=" * (-len(seed) % 8)))
    except (binascii.Error, ValueError):
        raise InputError("stdin: not an otpauth:// URI or a base32 seed") from None


def _long_enough(seed: str) -> None:
    if _seed_bytes(seed) < MIN_SEED_BYTES:
        raise InputError(
            f"stdin: the TOTP secret is too short (at least {MIN_SEED_BYTES * 8} bits: "
            "26 base32 characters)"
        )


def parse_seed(text: str) -> tuple[Secret | None, Secret | None]:
    """``(seed, url)`` from an ``otpauth://totp/...`` URI or a base32 seed of >= 128 bits."""
    text = text.strip()
    if text.startswith("otpauth://"):
        parsed = urlparse(text)
        secrets = parse_qs(parsed.query).get("secret")
        if parsed.netloc != "totp" or not secrets:
            raise InputError("stdin: an otpauth:// URI must be a TOTP URI with a secret")
        _long_enough("".join(secrets[0].split()).upper().rstrip("="))
        return None, Secret(text)
    seed = "".join(text.split()).upper().rstrip("=")
    _long_enough(seed)
    return Secret(seed), None


def _seen(
    conn: Connection,
    clock: Clock,
    *,
    key_id: int,
    account: AccountRecord,
    generation: int,
    actor: str,
    kind: str,
    reason: str,
    run_id: str | None,
) -> None:
    """The operator saw the seed of ``generation``: their exposure when they are a person of
    the inventory (current until re-enrolment), else the audit event alone names them."""
    person = operator(conn, actor)
    if person is not None:
        record_exposure(
            conn,
            clock,
            person=person,
            kind=kind,
            fields=[TOTP_SEED],
            version=generation,
            actor=actor,
            account=account,
            reason=reason,
            totp_key_id=key_id,
            run_id=run_id,
        )
        return
    details = {"person": None, "version": generation, "fields": [TOTP_SEED], "reason": reason}
    audit_seed(conn, clock, AuditAction.exposure(kind), account, actor, details, run_id=run_id)


def enroll(
    conn: Connection,
    clock: Clock,
    *,
    vault: Vault,
    account: AccountRecord,
    actor: str,
    seed: Secret | None = None,
    url: Secret | None = None,
    generate: bool = False,
    personal_device: bool = False,
) -> tuple[ActionResult, Secret | None]:
    """Put the account's seed in Vault custody; with ``generate`` returns the URI once."""
    if find_totp_key(conn, account.id) is not None:
        raise ConflictError(
            f"{account.name} already has a seed in Vault custody",
            hint=f"`accessguard totp regenerate {account.name}` replaces it safely",
            code="totp-exists",
        )
    if not generate and seed is None and url is None:
        raise InputError("give a seed or otpauth:// URI on stdin, or use --generate")
    name = free_key_name(vault, account, generation=1)
    uri: Secret | None = None
    if generate:
        uri = vault.totp.generate(name, issuer=ISSUER, account_name=account.handle)
    else:
        vault.totp.import_key(name, seed=seed, url=url, issuer=ISSUER, account_name=account.handle)
    key_id: int = conn.execute(
        insert(tables.totp_keys)
        .values(
            account_id=account.id,
            key_name=name,
            generation=1,
            enrolled_at=clock.now(),
            enrolled_by=actor,
            exported=False,
            personal_device=personal_device,
        )
        .returning(tables.totp_keys.c.id)
    ).scalar_one()
    details = {"key_name": name, "generated": generate, "personal_device": personal_device}
    audit_seed(conn, clock, AuditAction.TOTP_ENROLL, account, actor, details)
    _seen(
        conn,
        clock,
        key_id=key_id,
        account=account,
        generation=1,
        actor=actor,
        kind="seed-shown" if generate else "seed-pasted",
        reason="enrolment",
        run_id=None,
    )
    return ActionResult.changed(f"seed for {account.name} is in Vault custody"), uri


def code(
    conn: Connection,
    clock: Clock,
    *,
    vault: Vault,
    account: AccountRecord,
    person: PersonRecord,
    reason: str,
    actor: str,
    pending: bool = False,
    run_id: str | None = None,
) -> Secret:
    """A current code from Vault's TOTP engine; the exposure is recorded."""
    reason = require_reason(reason)
    key = get_totp_key(conn, account)
    name, generation = key.key_name, key.generation
    if pending:
        if not key.pending_key_name or key.pending_generation is None:
            raise ConflictError(f"{account.name} has no pending seed", code="no-pending-seed")
        name, generation = key.pending_key_name, key.pending_generation
    value = vault.totp.code(name)
    record_exposure(
        conn,
        clock,
        person=person,
        kind="totp-code",
        fields=[TOTP_CODE],
        version=generation,
        actor=actor,
        account=account,
        reason=reason,
        totp_key_id=key.id,
        run_id=run_id,
    )
    record_use(conn, person_id=person.id, account_id=account.id, at=clock.now())
    return value


def regenerate(
    conn: Connection,
    clock: Clock,
    *,
    vault: Vault,
    account: AccountRecord,
    actor: str,
    run_id: str | None = None,
    idempotency_key: str | None = None,
    shown: bool = True,
) -> tuple[ActionResult, Secret | None]:
    """A new seed generated by Vault, pending until confirmed; the URI is returned once.

    ``shown``: the caller shows the URI to the actor (recorded as their exposure of the
    seed); False when it does not know yet (a run that may have no terminal records it
    with ``seed_shown`` once it was shown).
    """
    key = get_totp_key(conn, account)
    if idempotency_key and key.pending_idempotency_key == idempotency_key:
        return ActionResult.unchanged(
            f"{account.name} already has the regenerated seed pending",
            account=account.name,
            generation=key.pending_generation,
        ), None
    generation = max(key.generation, key.pending_generation or 0) + 1
    name = free_key_name(vault, account, generation=generation)
    uri = vault.totp.generate(name, issuer=ISSUER, account_name=account.handle)
    if key.pending_key_name:
        vault.totp.delete(key.pending_key_name)
    update_key(
        conn,
        key.id,
        pending_key_name=name,
        pending_generation=generation,
        pending_idempotency_key=idempotency_key,
    )
    details = {"key_name": name, "generation": generation}
    audit_seed(conn, clock, AuditAction.TOTP_REGENERATE, account, actor, details, run_id=run_id)
    if shown:
        seed_shown(conn, clock, account=account, actor=actor, run_id=run_id)
    result = ActionResult(
        Outcome.CHANGED,
        f"new seed for {account.name} generated (pending until `totp confirm`)",
        {"account": account.name, "generation": generation},
        instructions=f"Enrol the new 2FA seed on {account.platform} for {account.handle}, then "
        f"run `accessguard totp confirm {account.name}`.",
    )
    return result, uri


def seed_shown(
    conn: Connection,
    clock: Clock,
    *,
    account: AccountRecord,
    actor: str,
    run_id: str | None = None,
) -> None:
    """Record that the pending seed's QR, generated with ``shown=False``, was shown to ``actor``."""
    key = get_totp_key(conn, account)
    if key.pending_generation is None:
        return
    _seen(
        conn,
        clock,
        key_id=key.id,
        account=account,
        generation=key.pending_generation,
        actor=actor,
        kind="seed-shown",
        reason="re-enrolment",
        run_id=run_id,
    )


@dataclass(frozen=True)
class SeedSwap:
    """What ``confirm`` does: the pending seed becomes current, the old one leaves Vault."""

    account: str
    key_id: int
    old_key_name: str
    old_generation: int
    key_name: str
    generation: int

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape (Vault key names and generations; never a seed)."""
        return {
            "account": self.account,
            "retired": {"key_name": self.old_key_name, "generation": self.old_generation},
            "current": {"key_name": self.key_name, "generation": self.generation},
        }

    def describe(self) -> str:
        """The swap in one line, for a dry run."""
        return (
            f"{self.account}: seed generation {self.old_generation} would be retired "
            f"(deleted from Vault); pending generation {self.generation} becomes current"
        )


def plan_confirm(conn: Connection, account: AccountRecord) -> SeedSwap | None:
    """What ``confirm`` would do for ``account``; None when no seed is pending."""
    key = get_totp_key(conn, account)
    if not key.pending_key_name or key.pending_generation is None:
        return None
    return SeedSwap(
        account.name,
        key.id,
        key.key_name,
        key.generation,
        key.pending_key_name,
        key.pending_generation,
    )


def confirm(
    conn: Connection,
    clock: Clock,
    *,
    vault: Vault,
    account: AccountRecord,
    actor: str,
    run_id: str | None = None,
) -> ActionResult:
    """The platform uses the pending seed now: make it current and delete the old one."""
    swap = plan_confirm(conn, account)
    if swap is None:
        return ActionResult.unchanged(f"{account.name} has no pending seed")
    # The old seed's exposures and export end here: only who saw the new one still knows it.
    update_key(
        conn,
        swap.key_id,
        key_name=swap.key_name,
        generation=swap.generation,
        pending_key_name=None,
        pending_generation=None,
        pending_idempotency_key=None,
        personal_device=False,
        exported=False,
        exported_at=None,
        exported_by=None,
    )
    vault.totp.delete(swap.old_key_name)
    details = {"key_name": swap.key_name, "generation": swap.generation}
    audit_seed(conn, clock, AuditAction.TOTP_CONFIRM, account, actor, details, run_id=run_id)
    return ActionResult.changed(f"{account.name} now uses seed generation {swap.generation}")
