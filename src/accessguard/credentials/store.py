"""Store, reveal and list shared logins. Values go to Vault only; the database keeps versions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.credentials.common import (
    find_credential,
    get_credential,
    iso,
    require_reason,
    set_current,
    version_row,
)
from accessguard.credentials.exposure import record_exposure
from accessguard.credentials.models import Credential
from accessguard.credentials.versions import add_versions
from accessguard.errors import CasConflictError, ConflictError, InputError
from accessguard.inventory.models import Account, Person
from accessguard.results import ActionResult
from accessguard.secret import Secret
from accessguard.vault.facade import Vault

FIELDS = ("username", "password", "backup_codes", "recovery")


@dataclass(frozen=True)
class LoginValues:
    """The values of one shared login; each one a ``Secret``."""

    values: dict[str, Secret]

    def to_vault(self) -> dict[str, Secret]:
        """What is written to Vault."""
        return dict(self.values)


def parse_login(text: str) -> LoginValues:
    """Read values from JSON (``{"username": .., "password": ..}``) or lines.

    Lines: first the username, then the password, then one backup code per line.
    """
    text = text.strip()
    if not text:
        raise InputError("no values given on stdin", hint="pipe JSON or lines into the command")
    values: dict[str, Secret] = {}
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"stdin: invalid JSON at line {exc.lineno}") from None
        if not isinstance(data, dict):
            raise InputError("stdin: expected a JSON object")
        unknown = sorted(set(data) - set(FIELDS))
        if unknown:
            raise InputError(
                f"stdin: unknown field(s) {', '.join(unknown)}", hint=f"known: {', '.join(FIELDS)}"
            )
        for key, value in data.items():
            if isinstance(value, list):
                value = "\n".join(str(v) for v in value)
            if value not in (None, ""):
                values[key] = Secret(str(value))
    else:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) < 2:
            raise InputError("stdin: give the username on line 1 and the password on line 2")
        values["username"] = Secret(lines[0])
        values["password"] = Secret(lines[1])
        if lines[2:]:
            values["backup_codes"] = Secret("\n".join(lines[2:]))
    if "password" not in values:
        raise InputError("a password is required")
    return LoginValues(values)


def add_version(
    session: Session,
    clock: Clock,
    credential: Credential,
    version: int,
    *,
    state: str,
    actor: str,
    reason: str | None,
    run_id: str | None = None,
    restored_from: int | None = None,
    idempotency_key: str | None = None,
) -> None:
    """Record a new Vault version; the one it replaces stops being current now."""
    add_versions(
        session,
        clock,
        [(credential.id, version, idempotency_key)],
        state=state,
        actor=actor,
        reason=reason,
        run_id=run_id,
        restored_from=restored_from,
    )


def set_credential(
    session: Session,
    clock: Clock,
    vault: Vault,
    account: Account,
    values: LoginValues,
    *,
    actor: str,
    operator: Person | None = None,
    reason: str | None = None,
) -> ActionResult:
    """Store the account's login as a new Vault version (check-and-set) and record it."""
    path = vault.paths.secret(account.name)
    credential = find_credential(session, account)
    if credential is not None and credential.state == "rotation-pending":
        raise ConflictError(
            f"a rotation of {account.name} is pending",
            hint=f"`accessguard creds confirm {account.name}` or `creds rollback` first",
            code="rotation-pending",
        )
    meta = vault.kv.metadata(path)
    vault_version = meta.current_version if meta else 0
    expected = credential.current_version if credential else vault_version
    if vault_version != expected:
        raise CasConflictError(
            f"Vault holds version {vault_version} of {account.name} but the inventory knows "
            f"version {expected}",
            hint="an interrupted rotation? re-run it with the same --idempotency-key, "
            "or check `accessguard creds status`",
        )
    version = vault.kv.write(path, values.to_vault(), cas=expected)
    now = clock.now()
    vault.kv.set_custom_metadata(
        path,
        {
            "account_id": str(account.id),
            "state": "active",
            "rotated_at": now.isoformat(),
            "rotated_by": actor,
            "reason": reason or "set",
            "run_id": None,
        },
    )
    if credential is None:
        credential = Credential(
            account_id=account.id,
            vault_path=path,
            current_version=version,
            state="active",
            created_at=now,
        )
        session.add(credential)
        session.flush()
    set_current(credential, version, previous=None, state="active", at=now, by=actor)
    add_version(
        session, clock, credential, version, state="active", actor=actor, reason=reason or "set"
    )
    record(
        session,
        clock,
        actor=actor,
        action="credential.set",
        target_type="credential",
        target=account.name,
        details={"version": version, "fields": sorted(values.values), "reason": reason},
    )
    if operator is not None:
        record_exposure(
            session,
            clock,
            person=operator,
            kind="entered",
            version=version,
            actor=actor,
            account=account,
            reason=reason or "stored the login",
            credential=credential,
        )
    return ActionResult.changed(f"stored {account.name} as version {version}", version=version)


@dataclass(frozen=True)
class Revealed:
    """A revealed version: print ``values`` and nothing else."""

    account: str
    version: int
    values: dict[str, Secret]


def reveal(
    session: Session,
    clock: Clock,
    vault: Vault,
    account: Account,
    *,
    person: Person,
    reason: str,
    actor: str,
    version: int | None = None,
    pending: bool = False,
    run_id: str | None = None,
) -> Revealed:
    """Read a version (default: current) and record the observed exposure before returning it.

    ``pending`` insists that a rotation is pending (its new password is the current version).
    """
    reason = require_reason(reason)
    credential = get_credential(session, account)
    if pending and credential.state != "rotation-pending":
        raise ConflictError(
            f"{account.name} has no pending rotation",
            code="no-pending-rotation",
            hint="without --pending, reveal shows the current version",
        )
    wanted = version or credential.current_version
    secret = vault.kv.read(credential.vault_path, wanted)
    record_exposure(
        session,
        clock,
        person=person,
        kind="reveal",
        version=wanted,
        actor=actor,
        account=account,
        reason=reason,
        credential=credential,
        run_id=run_id,
    )
    return Revealed(account.name, wanted, secret.public_values())


def credential_status(session: Session, account: Account | None = None) -> list[dict[str, Any]]:
    """Non-secret state of stored credentials (one account or all)."""
    query = select(Credential, Account).join(Account, Account.id == Credential.account_id)
    if account is not None:
        query = query.where(Credential.account_id == account.id)
    rows = []
    for cred, acct in session.execute(query.order_by(Account.name)).all():
        current = version_row(session, cred, cred.current_version)
        rows.append(
            {
                "account": acct.name,
                "platform": acct.platform,
                "vault_path": cred.vault_path,
                "state": cred.state,
                "current_version": cred.current_version,
                "previous_version": cred.previous_version,
                "rotated_at": iso(cred.rotated_at),
                "rotated_by": cred.rotated_by,
                "current_since": iso(current.created_at) if current else None,
                "reason": current.reason if current else None,
            }
        )
    if account is not None and not rows:
        get_credential(session, account)
    return rows
