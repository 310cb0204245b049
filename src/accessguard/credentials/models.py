"""Credential, its versions, TOTP keys, exposures and people's Vault identities (PRODUCT.md §3-4).

Secret values never live here: only Vault paths, version numbers, times and who did what.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accessguard.db.base import Base

CREDENTIAL_STATES = ("active", "rotation-pending")
VERSION_STATES = ("active", "pending", "superseded", "rolled-back")
EXPOSURE_KINDS = ("reveal", "totp-code", "seed-export", "entered")


class Credential(Base):
    """A shared login of one account; its values live only in Vault at ``vault_path``."""

    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), unique=True)
    vault_path: Mapped[str] = mapped_column(String(400))
    current_version: Mapped[int] = mapped_column(Integer)
    previous_version: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="active")
    rotated_at: Mapped[datetime | None]
    rotated_by: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime]


class CredentialVersion(Base):
    """One Vault version of a credential: when it became current and when it stopped."""

    __tablename__ = "credential_versions"
    __table_args__ = (
        UniqueConstraint("credential_id", "version", name="uq_credential_versions_credential_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[int] = mapped_column(ForeignKey("credentials.id"))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    superseded_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[str | None] = mapped_column(String(40))
    rotated_by: Mapped[str | None] = mapped_column(String(320))
    # A rollback writes an old value again: whoever knew that version knows this one.
    restored_from: Mapped[int | None] = mapped_column(Integer)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))


class TotpKey(Base):
    """A 2FA seed in the Vault TOTP engine; ``key_name`` is the generation in use."""

    __tablename__ = "totp_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), unique=True)
    key_name: Mapped[str] = mapped_column(String(200))
    generation: Mapped[int] = mapped_column(Integer, default=1)
    enrolled_at: Mapped[datetime]
    enrolled_by: Mapped[str] = mapped_column(String(320))
    exported: Mapped[bool] = mapped_column(Boolean, default=False)
    exported_at: Mapped[datetime | None]
    exported_by: Mapped[str | None] = mapped_column(String(320))
    personal_device: Mapped[bool] = mapped_column(Boolean, default=False)
    retired_at: Mapped[datetime | None]
    # A regenerated seed waits here until the platform is re-enrolled (`totp confirm`).
    pending_key_name: Mapped[str | None] = mapped_column(String(200))
    pending_generation: Mapped[int | None] = mapped_column(Integer)
    pending_idempotency_key: Mapped[str | None] = mapped_column(String(200))


class Exposure(Base):
    """Observed exposure: a person saw a version (reveal, TOTP code, seed export)."""

    __tablename__ = "exposures"
    __table_args__ = (Index("ix_exposures_person_id_credential_id", "person_id", "credential_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    credential_id: Mapped[int | None] = mapped_column(ForeignKey("credentials.id"))
    totp_key_id: Mapped[int | None] = mapped_column(ForeignKey("totp_keys.id"))
    kind: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[str | None] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(320))


class VaultIdentity(Base):
    """A person's Vault entity and userpass login name."""

    __tablename__ = "vault_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    entity_id: Mapped[str] = mapped_column(String(80))
    username: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class VaultMembership(Base):
    """History of a person's membership in an account's Vault group (possible exposure)."""

    __tablename__ = "vault_memberships"
    __table_args__ = (Index("ix_vault_memberships_account_id", "account_id", "removed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
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
