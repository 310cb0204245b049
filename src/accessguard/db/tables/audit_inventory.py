"""Tables: inventory and audit (0001)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from accessguard.db.tables._meta import metadata
from accessguard.db.types import UTCDateTime

# -- inventory and audit (0001) ---------------------------------------------------------

audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", Integer(), primary_key=True, autoincrement=False),
    Column("occurred_at", UTCDateTime(), nullable=False, index=True),
    Column("actor", String(320), nullable=False),
    Column("action", String(80), nullable=False, index=True),
    Column("target_type", String(40), nullable=False),
    Column("target", String(400), nullable=False),
    Column("run_id", String(40), nullable=True, index=True),
    Column("details", JSON(), nullable=False, default=dict),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # 0006: the key that made ``hash`` (NULL: plain SHA-256) and who was really acting.
    Column("hash_key", String(40), nullable=True),
    Column("vault_name", String(320), nullable=True),
    Column("vault_entity", String(64), nullable=True),
    Column("os_user", String(128), nullable=True),
)

#: One row (id 1): the last event's seq and hash, so removing the last event shows.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=False),
    Column("seq", Integer(), nullable=False),
    Column("hash", String(64), nullable=False),
)

people = Table(
    "people",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("department", String(120), nullable=True),
    Column("manager_email", String(320), nullable=True),
    Column("kind", String(20), nullable=False, default="employee"),
    Column("status", String(20), nullable=False, default="active", index=True),
    Column("end_date", Date(), nullable=True, index=True),
    Column("source", String(20), nullable=False, default="manual"),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    # Personal contacts from the HR feed: matched against recovery channels, never listed.
    Column("personal_email", String(320), nullable=True),
    Column("personal_phone", String(40), nullable=True),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("platform", String(40), nullable=False, index=True),
    Column("handle", String(200), nullable=False),
    Column("display_name", String(200), nullable=True),
    Column("owner_id", Integer(), ForeignKey("people.id"), nullable=True),
    Column("criticality", String(20), nullable=False, default="medium"),
    Column("recovery_email", String(320), nullable=True),
    Column("recovery_email_company", Boolean(), nullable=True),
    Column("recovery_phone", String(40), nullable=True),
    Column("recovery_phone_company", Boolean(), nullable=True),
    Column("connector", String(60), nullable=True),
    Column("settings", JSON(), nullable=False, default=dict),
    Column("tags", JSON(), nullable=False, default=list),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    #: Set by ``accounts archive``: out of service, history kept (grants, audit, runs).
    Column("archived_at", UTCDateTime(), nullable=True),
    UniqueConstraint("platform", "handle", name="uq_accounts_platform_handle"),
)

#: Grants are never deleted: revoking stamps ``revoked_*``.
grants = Table(
    "grants",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("person_id", Integer(), ForeignKey("people.id"), nullable=False),
    Column("account_id", Integer(), ForeignKey("accounts.id"), nullable=False),
    Column("role", String(60), nullable=False),
    Column("via", String(20), nullable=False),
    Column("granted_at", UTCDateTime(), nullable=False),
    Column("granted_by", String(320), nullable=False),
    Column("reason", Text(), nullable=True),
    Column("ticket", String(120), nullable=True),
    Column("expires_at", UTCDateTime(), nullable=True),
    Column("last_used_at", UTCDateTime(), nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Column("revoked_by", String(320), nullable=True),
    Column("revoke_reason", Text(), nullable=True),
    Column("revoked_run_id", String(40), nullable=True),
    # 0009: a grant whose platform removal failed or waits stays active, marked
    # revoke-pending (when, why, by which run); ``removal_confirmed_at`` is when the
    # platform removal was confirmed (the grant ends then).
    Column("revoke_pending_at", UTCDateTime(), nullable=True),
    Column("revoke_pending_reason", Text(), nullable=True),
    Column("revoke_pending_run", String(40), nullable=True),
    Column("removal_confirmed_at", UTCDateTime(), nullable=True),
    Index("ix_grants_person_active", "person_id", "revoked_at"),
    Index("ix_grants_account_active", "account_id", "revoked_at"),
)

#: 0012: each employment of a person (a rehire is a new one). The highest ``number`` is
#: the current employment, whose status and end date mirror ``people``'s; earlier ones
#: are closed and never change. ``last_grant_id``: the person's highest grant id when
#: the employment closed, so each grant belongs to exactly one employment.
employments = Table(
    "employments",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("person_id", Integer(), ForeignKey("people.id"), nullable=False, index=True),
    Column("number", Integer(), nullable=False),
    Column("start_date", Date(), nullable=True),
    Column("end_date", Date(), nullable=True),
    Column("status", String(20), nullable=False),
    Column("began_at", UTCDateTime(), nullable=False),
    Column("closed_at", UTCDateTime(), nullable=True),
    Column("closed_by", String(320), nullable=True),
    Column("last_grant_id", Integer(), nullable=True),
    UniqueConstraint("person_id", "number", name="uq_employments_person_number"),
)
