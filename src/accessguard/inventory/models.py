"""Person, Account and Grant (PRODUCT.md §3). Grants are never hard-deleted.

ORM classes mapped onto the Core tables for the code not yet moved to records;
marked for deletion once nothing imports them (issue 15).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped

from accessguard.db import tables
from accessguard.inventory.records import person_to_dict
from accessguard.inventory.vocab import is_admin_role


class _Mapped(DeclarativeBase):
    """A private registry mapping these classes onto ``db/tables.py`` (no schema here)."""


class Person(_Mapped):
    """Someone who can hold access; the email is the key."""

    __table__ = tables.people

    id: Mapped[int]
    email: Mapped[str]
    name: Mapped[str]
    department: Mapped[str | None]
    manager_email: Mapped[str | None]
    kind: Mapped[str]
    status: Mapped[str]
    end_date: Mapped[date | None]
    source: Mapped[str]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view with a stable shape."""
        return person_to_dict(self)


class Account(_Mapped):
    """A brand account on a platform; ``name`` is the stable slug used in commands and Vault paths."""

    __table__ = tables.accounts

    id: Mapped[int]
    name: Mapped[str]
    platform: Mapped[str]
    handle: Mapped[str]
    display_name: Mapped[str | None]
    owner_id: Mapped[int | None]
    criticality: Mapped[str]
    recovery_email: Mapped[str | None]
    recovery_email_company: Mapped[bool | None]
    recovery_phone: Mapped[str | None]
    recovery_phone_company: Mapped[bool | None]
    connector: Mapped[str | None]
    settings: Mapped[dict[str, Any]]
    tags: Mapped[list[str]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

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


class Grant(_Mapped):
    """Person x account x role via a channel. Revoking stamps it; rows are never deleted."""

    __table__ = tables.grants

    id: Mapped[int]
    person_id: Mapped[int]
    account_id: Mapped[int]
    role: Mapped[str]
    via: Mapped[str]
    granted_at: Mapped[datetime]
    granted_by: Mapped[str]
    reason: Mapped[str | None]
    ticket: Mapped[str | None]
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None]
    revoke_reason: Mapped[str | None]
    revoked_run_id: Mapped[str | None]

    @property
    def active(self) -> bool:
        """True until the grant is revoked."""
        return self.revoked_at is None

    @property
    def is_admin(self) -> bool:
        """True when the role administers the account."""
        return is_admin_role(self.role)
