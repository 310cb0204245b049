"""Store and reveal shared logins. Values go to Vault only; the database keeps versions."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection

from accessguard.audit.actions import AuditAction
from accessguard.clock import Clock
from accessguard.credentials.compose import newer_writes
from accessguard.credentials.custody_events import audit_login
from accessguard.credentials.exposure import record_exposure
from accessguard.credentials.fields import PASSWORD, changed_fields, record_field_writes
from accessguard.credentials.observers import require_reason
from accessguard.credentials.records import find_credential, get_credential
from accessguard.credentials.versions import (
    activate_version,
    credential_not_found,
    insert_credential,
    login_metadata,
)
from accessguard.errors import CasConflictError, ConflictError, InputError, VaultNotFoundError
from accessguard.inventory.grants import record_use
from accessguard.inventory.records import AccountRecord, PersonRecord
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


def _values_of(vault: Vault, path: str, version: int) -> dict[str, Secret]:
    """The fields of ``version`` (none for version 0, or one Vault no longer holds)."""
    if not version:
        return {}
    try:
        return vault.kv.read(path, version).public_values()
    except VaultNotFoundError:
        return {}


def _unrecorded(vault: Vault, path: str, *, account: str, known: int) -> CasConflictError:
    """Vault is ahead of the inventory: a rotation not recorded yet (an interrupted run),
    or an out-of-band write (``newer_writes`` raises that one, naming `creds adopt`)."""
    covering = newer_writes(vault, path, account=account, known=known)
    if covering is None:  # the newer versions were deleted or destroyed
        return CasConflictError(
            f"Vault's versions of {account} after version {known} (the one the inventory "
            "knows) are deleted or destroyed",
            hint=f"undelete them, or check `accessguard creds status {account}`",
        )
    return CasConflictError(
        f"Vault holds version {covering.version} of {account}, written by an interrupted "
        f"rotation, but the inventory knows version {known}",
        hint=f"`{covering.record_command()}` records it; then store the login again",
        code="rotation-unrecorded",
    )


def set_credential(
    conn: Connection,
    clock: Clock,
    *,
    vault: Vault,
    account: AccountRecord,
    values: LoginValues,
    actor: str,
    operator: PersonRecord | None = None,
    reason: str | None = None,
    merge: bool = False,
) -> ActionResult:
    """Store the account's login as a new Vault version (check-and-set) and record it.

    ``merge`` keeps the fields not given (``creds set --field``); which written fields
    changed value is recorded, so exposure of an unchanged field stays current.
    """
    path = vault.paths.secret(account.name)
    credential = find_credential(conn, account.id)
    if credential is not None and credential.pending:
        raise ConflictError(
            f"a rotation of {account.name} is pending",
            hint=f"`accessguard creds confirm {account.name}` or `creds rollback` first",
            code="rotation-pending",
        )
    meta = vault.kv.metadata(path)
    vault_version = meta.current_version if meta else 0
    expected = credential.current_version if credential else vault_version
    if vault_version != expected:
        raise _unrecorded(vault, path, account=account.name, known=expected)
    if merge and expected == 0:
        raise credential_not_found(account.name)
    before = _values_of(vault, path, expected)
    changed = changed_fields(before, values.values)
    if merge:
        version = vault.kv.patch(path, values.to_vault(), cas=expected)
    else:
        version = vault.kv.write(path, values.to_vault(), cas=expected)
    now = clock.now()
    why = reason or "set"
    vault.kv.set_custom_metadata(
        path,
        login_metadata(
            state="active", at=now, actor=actor, reason=why, run_id=None, account_id=str(account.id)
        ),
    )
    if credential is None:
        credential_id = insert_credential(
            conn, account.id, vault_path=path, version=version, at=now, by=actor
        )
    else:
        credential_id = credential.id
    activate_version(
        conn, clock, credential_id=credential_id, version=version, at=now, actor=actor, reason=why
    )
    record_field_writes(conn, clock, credential_id=credential_id, version=version, changed=changed)
    details = {
        "version": version,
        "fields": sorted(values.values),
        "changed": sorted(k for k, v in changed.items() if v),
        "reason": reason,
    }
    audit_login(conn, clock, AuditAction.CREDENTIAL_SET, account, actor, details)
    if operator is not None:
        record_exposure(
            conn,
            clock,
            person=operator,
            kind="entered",
            fields=sorted(values.values),
            version=version,
            actor=actor,
            account=account,
            reason=reason or "stored the login",
            credential_id=credential_id,
        )
    return ActionResult.changed(f"stored {account.name} as version {version}", version=version)


@dataclass(frozen=True)
class Revealed:
    """A revealed version: print ``values`` and nothing else."""

    account: str
    version: int
    values: dict[str, Secret]
    #: ``current`` (the version the platform accepts), ``pending`` (a rotation's new
    #: password, not yet set on the platform) or ``requested`` (``--version``).
    state: str = "current"
    #: The version a pending rotation waits to confirm, if any.
    pending_version: int | None = None


def reveal(
    conn: Connection,
    clock: Clock,
    *,
    vault: Vault,
    account: AccountRecord,
    person: PersonRecord,
    reason: str,
    actor: str,
    version: int | None = None,
    pending: bool = False,
    run_id: str | None = None,
    fields: tuple[str, ...] | None = (PASSWORD,),
) -> Revealed:
    """Read a version and record the observed exposure before returning it.

    By default the version the platform accepts: during a rotation that is the previous
    version, not the pending one. ``pending`` asks for the pending rotation's new password
    (an error when none is pending); ``version`` for a specific one. ``fields``: what the
    caller shows (None: every field); the exposure is recorded for exactly those, and only
    they are returned.
    """
    reason = require_reason(reason)
    credential = get_credential(conn, account)
    if pending and not credential.pending:
        raise ConflictError(
            f"{account.name} has no pending rotation",
            code="no-pending-rotation",
            hint="without --pending, reveal shows the current version",
        )
    waiting = credential.current_version if credential.pending else None
    if version is not None:
        wanted, state = version, "pending" if version == waiting else "requested"
    elif credential.pending and credential.previous_version is not None and not pending:
        wanted, state = credential.previous_version, "current"
    else:
        wanted = credential.current_version
        state = "pending" if credential.pending else "current"
    values = vault.kv.read(credential.vault_path, wanted).public_values()
    missing = [name for name in fields or () if name not in values]
    if missing:
        raise InputError(
            f"{account.name} version {wanted} has no {', '.join(missing)}",
            hint=f"stored fields: {', '.join(values) or 'none'}",
        )
    shown = {k: v for k, v in values.items() if fields is None or k in fields}
    record_exposure(
        conn,
        clock,
        person=person,
        kind="reveal",
        fields=sorted(shown),
        version=wanted,
        actor=actor,
        account=account,
        reason=reason,
        credential_id=credential.id,
        run_id=run_id,
    )
    record_use(conn, person_id=person.id, account_id=account.id, at=clock.now())
    return Revealed(account.name, wanted, shown, state, waiting)
