"""The fields of a shared login, and which version changed which field (never the values).

A rotation changes the password only; ``creds set`` writes the fields it is given and
records, per field, whether the value changed (compared in memory with the version it
replaces). Exposure of a field stays current until a version changes that field.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from sqlalchemy import Connection, insert, select, update

from accessguard.clock import Clock
from accessguard.db.tables import credential_field_writes as _WRITES
from accessguard.secret import Secret
from accessguard.vault.facade import Vault

USERNAME = "username"
PASSWORD = "password"
BACKUP_CODES = "backup_codes"
RECOVERY = "recovery"
#: Fields of a 2FA seed held in Vault's TOTP engine (a code is not the seed).
TOTP_SEED = "totp_seed"
TOTP_CODE = "totp_code"
#: Exposure rows written before 0010: every field of that version.
ALL = "all"

#: Fields a person can ask ``creds reveal --field`` / ``creds set --field`` for.
LOGIN_FIELDS = (USERNAME, PASSWORD, BACKUP_CODES, RECOVERY)
#: Secret fields renewed by hand on the platform (the password is rotated by the tool).
MANUAL_FIELDS = (BACKUP_CODES, RECOVERY)

#: What a person does on the platform to renew a field, by field.
RENEW_HOW = {
    BACKUP_CODES: "generate new backup (recovery) codes in the account's two-factor "
    "security settings (this invalidates the old ones)",
    RECOVERY: "change the recovery email, phone and security answers in the account's "
    "security settings to new company-owned values",
}
LABELS = {BACKUP_CODES: "backup codes", RECOVERY: "recovery details", PASSWORD: "password"}


def changed_fields(before: Mapping[str, Secret], written: Mapping[str, Secret]) -> dict[str, bool]:
    """For each written field, whether its value differs from ``before`` (constant-time)."""
    out = {}
    for name, value in written.items():
        old = before.get(name)
        out[name] = old is None or not hmac.compare_digest(
            old.reveal().encode(), value.reveal().encode()
        )
    return out


def record_field_writes(
    conn: Connection,
    clock: Clock,
    *,
    credential_id: int,
    version: int,
    changed: Mapping[str, bool],
) -> None:
    """Record which fields ``version`` wrote and whether each changed (one multi-row insert)."""
    if not changed:
        return
    now = clock.now()
    conn.execute(
        insert(_WRITES),
        [
            {
                "credential_id": credential_id,
                "version": version,
                "field": name,
                "changed": bool(flag),
                "written_at": now,
            }
            for name, flag in sorted(changed.items())
        ],
    )


def renewed_since(conn: Connection, credential_id: int, field: str, version: int) -> bool:
    """True when the database records a version after ``version`` that changed ``field``."""
    w = _WRITES.c
    found = conn.execute(
        select(w.id).where(
            w.credential_id == credential_id,
            w.field == field,
            w.changed.is_(True),
            w.version > version,
        )
    ).first()
    return found is not None


def field_differs(
    vault: Vault, path: str, field: str, *, exposed: int, current: int
) -> bool | None:
    """Whether ``field`` in Vault differs between two versions; None if ``exposed`` had none."""
    old = vault.kv.read(path, exposed).values.get(field)
    if old is None:
        return None
    new = vault.kv.read(path, current).values.get(field)
    if new is None:
        return False
    return not hmac.compare_digest(old.reveal().encode(), new.reveal().encode())


def mark_renewed(
    conn: Connection, clock: Clock, *, credential_id: int, field: str, version: int
) -> None:
    """Record that ``version`` holds a new ``field`` (found by comparing Vault versions)."""
    w = _WRITES.c
    where = (w.credential_id == credential_id, w.version == version, w.field == field)
    if conn.execute(select(w.id).where(*where)).first() is not None:
        conn.execute(update(_WRITES).where(*where).values(changed=True))
    else:
        record_field_writes(
            conn, clock, credential_id=credential_id, version=version, changed={field: True}
        )
