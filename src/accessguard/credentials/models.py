"""Credential, its versions, TOTP keys, exposures and people's Vault identities (PRODUCT.md §3-4).

Secret values never live here: only Vault paths, version numbers, times and who did what.

ORM classes mapped onto the Core tables for the code not yet moved to records;
marked for deletion once nothing imports them (issue 15).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped

from accessguard.db import tables

CREDENTIAL_STATES = ("active", "rotation-pending")
VERSION_STATES = ("active", "pending", "superseded", "rolled-back")
EXPOSURE_KINDS = ("reveal", "totp-code", "seed-export", "entered")


class _Mapped(DeclarativeBase):
    """A private registry mapping these classes onto ``db/tables.py`` (no schema here)."""


class Credential(_Mapped):
    """A shared login of one account; its values live only in Vault at ``vault_path``."""

    __table__ = tables.credentials

    id: Mapped[int]
    account_id: Mapped[int]
    vault_path: Mapped[str]
    current_version: Mapped[int]
    previous_version: Mapped[int | None]
    state: Mapped[str]
    rotated_at: Mapped[datetime | None]
    rotated_by: Mapped[str | None]
    created_at: Mapped[datetime]


class CredentialVersion(_Mapped):
    """One Vault version of a credential: when it became current and when it stopped."""

    __table__ = tables.credential_versions

    id: Mapped[int]
    credential_id: Mapped[int]
    version: Mapped[int]
    created_at: Mapped[datetime]
    superseded_at: Mapped[datetime | None]
    state: Mapped[str]
    reason: Mapped[str | None]
    run_id: Mapped[str | None]
    rotated_by: Mapped[str | None]
    # A rollback writes an old value again: whoever knew that version knows this one.
    restored_from: Mapped[int | None]
    idempotency_key: Mapped[str | None]


class TotpKey(_Mapped):
    """A 2FA seed in the Vault TOTP engine; ``key_name`` is the generation in use."""

    __table__ = tables.totp_keys

    id: Mapped[int]
    account_id: Mapped[int]
    key_name: Mapped[str]
    generation: Mapped[int]
    enrolled_at: Mapped[datetime]
    enrolled_by: Mapped[str]
    exported: Mapped[bool]
    exported_at: Mapped[datetime | None]
    exported_by: Mapped[str | None]
    personal_device: Mapped[bool]
    retired_at: Mapped[datetime | None]
    # A regenerated seed waits here until the platform is re-enrolled (`totp confirm`).
    pending_key_name: Mapped[str | None]
    pending_generation: Mapped[int | None]
    pending_idempotency_key: Mapped[str | None]


class Exposure(_Mapped):
    """Observed exposure: a person saw a version (reveal, TOTP code, seed export)."""

    __table__ = tables.exposures

    id: Mapped[int]
    person_id: Mapped[int]
    credential_id: Mapped[int | None]
    totp_key_id: Mapped[int | None]
    kind: Mapped[str]
    version: Mapped[int]
    occurred_at: Mapped[datetime]
    reason: Mapped[str | None]
    run_id: Mapped[str | None]
    actor: Mapped[str | None]


class VaultIdentity(_Mapped):
    """A person's Vault entity and userpass login name."""

    __table__ = tables.vault_identities

    id: Mapped[int]
    person_id: Mapped[int]
    entity_id: Mapped[str]
    username: Mapped[str]
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class VaultMembership(_Mapped):
    """History of a person's membership in an account's Vault group (possible exposure)."""

    __table__ = tables.vault_memberships

    id: Mapped[int]
    person_id: Mapped[int]
    account_id: Mapped[int]
    added_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "person_id": self.person_id,
            "account_id": self.account_id,
            "added_at": self.added_at.isoformat(),
            "removed_at": self.removed_at.isoformat() if self.removed_at else None,
        }
