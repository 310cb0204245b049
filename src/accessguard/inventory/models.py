"""Person, Account and Grant (PRODUCT.md §3). Grants are never hard-deleted."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accessguard.db.base import Base
from accessguard.inventory.records import person_to_dict
from accessguard.inventory.vocab import is_admin_role


class Person(Base):
    """Someone who can hold access; the email is the key."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(120))
    manager_email: Mapped[str | None] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(20), default="employee")
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    end_date: Mapped[date | None] = mapped_column(Date, index=True)
    source: Mapped[str] = mapped_column(String(20), default="manual")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view with a stable shape."""
        return person_to_dict(self)


class Account(Base):
    """A brand account on a platform; ``name`` is the stable slug used in commands and Vault paths."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("platform", "handle", name="uq_accounts_platform_handle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    platform: Mapped[str] = mapped_column(String(40), index=True)
    handle: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    criticality: Mapped[str] = mapped_column(String(20), default="medium")
    recovery_email: Mapped[str | None] = mapped_column(String(320))
    recovery_email_company: Mapped[bool | None] = mapped_column(Boolean)
    recovery_phone: Mapped[str | None] = mapped_column(String(40))
    recovery_phone_company: Mapped[bool | None] = mapped_column(Boolean)
    connector: Mapped[str | None] = mapped_column(String(60))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    tags: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    owner: Mapped[Person | None] = relationship(lazy="raise")

    def to_dict(self, owner_email: str | None = None) -> dict[str, Any]:
        """A JSON-ready view with a stable shape (owner email passed in to avoid lazy loads)."""
        return {
            "name": self.name,
            "platform": self.platform,
            "handle": self.handle,
            "display_name": self.display_name,
            "owner": owner_email,
            "criticality": self.criticality,
            "recovery_email": self.recovery_email,
            "recovery_email_company": self.recovery_email_company,
            "recovery_phone": self.recovery_phone,
            "recovery_phone_company": self.recovery_phone_company,
            "connector": self.connector,
            "settings": self.settings or {},
            "tags": list(self.tags or []),
        }


class Grant(Base):
    """Person x account x role via a channel. Revoking stamps it; rows are never deleted."""

    __tablename__ = "grants"
    __table_args__ = (
        Index("ix_grants_person_active", "person_id", "revoked_at"),
        Index("ix_grants_account_active", "account_id", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    role: Mapped[str] = mapped_column(String(60))
    via: Mapped[str] = mapped_column(String(20))
    granted_at: Mapped[datetime]
    granted_by: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str | None] = mapped_column(Text)
    ticket: Mapped[str | None] = mapped_column(String(120))
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(320))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    revoked_run_id: Mapped[str | None] = mapped_column(String(40))

    person: Mapped[Person] = relationship(lazy="raise")
    account: Mapped[Account] = relationship(lazy="raise")

    @property
    def active(self) -> bool:
        """True until the grant is revoked."""
        return self.revoked_at is None

    @property
    def is_admin(self) -> bool:
        """True when the role administers the account."""
        return is_admin_role(self.role)
