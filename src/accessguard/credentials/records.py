"""Credentials, 2FA seeds and people's Vault identities as plain records (Core statements).

Secret values never live here: only Vault paths, version numbers, times and who did what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, select

from accessguard.credentials.versions import credential_not_found
from accessguard.db import tables
from accessguard.errors import NotFoundError
from accessguard.inventory.records import AccountRecord, account_query


@dataclass(frozen=True, slots=True)
class CredentialRecord:
    """A shared login of one account; its values live only in Vault at ``vault_path``."""

    id: int
    account_id: int
    vault_path: str
    current_version: int
    previous_version: int | None
    state: str
    rotated_at: datetime | None
    rotated_by: str | None
    created_at: datetime

    @property
    def pending(self) -> bool:
        """True while a rotation waits for confirmation (or a rollback)."""
        return self.state == "rotation-pending"


@dataclass(frozen=True, slots=True)
class TotpKeyRecord:
    """A 2FA seed in the Vault TOTP engine; ``key_name`` is the generation in use.

    A regenerated seed waits in the ``pending_*`` fields until ``totp confirm``.
    """

    id: int
    account_id: int
    key_name: str
    generation: int
    enrolled_at: datetime
    enrolled_by: str
    exported: bool
    exported_at: datetime | None
    exported_by: str | None
    personal_device: bool
    retired_at: datetime | None
    pending_key_name: str | None
    pending_generation: int | None
    pending_idempotency_key: str | None


@dataclass(frozen=True, slots=True)
class VaultIdentityRecord:
    """A person's Vault entity and userpass login name."""

    id: int
    person_id: int
    entity_id: str
    username: str
    created_at: datetime
    disabled_at: datetime | None


def _columns(table: Table, record: type[Any]) -> list[Any]:
    return [table.c[name] for name in record.__slots__]


_CREDENTIAL = _columns(tables.credentials, CredentialRecord)
_TOTP_KEY = _columns(tables.totp_keys, TotpKeyRecord)
_IDENTITY = _columns(tables.vault_identities, VaultIdentityRecord)


def find_credential(conn: Connection, account_id: int) -> CredentialRecord | None:
    """The account's credential, or None."""
    row = conn.execute(
        select(*_CREDENTIAL).where(tables.credentials.c.account_id == account_id)
    ).first()
    return CredentialRecord(*row) if row is not None else None


def get_credential(conn: Connection, account: AccountRecord) -> CredentialRecord:
    """The account's credential; NotFoundError with the fix otherwise."""
    credential = find_credential(conn, account.id)
    if credential is None:
        raise credential_not_found(account.name)
    return credential


def find_totp_key(conn: Connection, account_id: int) -> TotpKeyRecord | None:
    """The account's TOTP key (retired or not), or None."""
    row = conn.execute(
        select(*_TOTP_KEY).where(tables.totp_keys.c.account_id == account_id)
    ).first()
    return TotpKeyRecord(*row) if row is not None else None


def get_totp_key(conn: Connection, account: AccountRecord) -> TotpKeyRecord:
    """The account's TOTP key in custody; NotFoundError with the fix otherwise."""
    key = find_totp_key(conn, account.id)
    if key is None or key.retired_at is not None:
        raise NotFoundError(
            f"no 2FA seed in Vault custody for {account.name}",
            hint=f"enrol one with `accessguard totp enroll {account.name}`",
            code="totp-not-found",
        )
    return key


def find_identity(conn: Connection, person_id: int) -> VaultIdentityRecord | None:
    """The person's Vault identity, or None."""
    row = conn.execute(
        select(*_IDENTITY).where(tables.vault_identities.c.person_id == person_id)
    ).first()
    return VaultIdentityRecord(*row) if row is not None else None


def all_identities(conn: Connection) -> list[VaultIdentityRecord]:
    """Every person's Vault identity."""
    return [VaultIdentityRecord(*row) for row in conn.execute(select(*_IDENTITY))]


def account_by_id(conn: Connection, account_id: int) -> AccountRecord | None:
    """An account by its id (a plan item names its account by id), or None."""
    row = conn.execute(account_query().where(tables.accounts.c.id == account_id)).first()
    return AccountRecord(*row) if row is not None else None
