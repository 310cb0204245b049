"""Tables: credentials (0002): values live in Vault; these are paths, versions, who and when."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
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

# -- credentials (0002): values live in Vault; these are paths, versions, who and when ----

vault_identities = Table(
    "vault_identities",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("person_id", Integer(), ForeignKey("people.id"), nullable=False, unique=True),
    Column("entity_id", String(80), nullable=False),
    Column("username", String(200), nullable=False, unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("disabled_at", UTCDateTime(), nullable=True),
)

credentials = Table(
    "credentials",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("account_id", Integer(), ForeignKey("accounts.id"), nullable=False, unique=True),
    Column("vault_path", String(400), nullable=False),
    Column("current_version", Integer(), nullable=False),
    Column("previous_version", Integer(), nullable=True),
    Column("state", String(20), nullable=False, default="active"),
    Column("rotated_at", UTCDateTime(), nullable=True),
    Column("rotated_by", String(320), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

totp_keys = Table(
    "totp_keys",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("account_id", Integer(), ForeignKey("accounts.id"), nullable=False, unique=True),
    Column("key_name", String(200), nullable=False),
    Column("generation", Integer(), nullable=False, default=1),
    Column("enrolled_at", UTCDateTime(), nullable=False),
    Column("enrolled_by", String(320), nullable=False),
    # Set before 0010 for a seed shown outside the inventory; cleared by re-enrolment.
    Column("exported", Boolean(), nullable=False, default=False),
    Column("exported_at", UTCDateTime(), nullable=True),
    Column("exported_by", String(320), nullable=True),
    Column("personal_device", Boolean(), nullable=False, default=False),
    Column("retired_at", UTCDateTime(), nullable=True),
    # A regenerated seed waits here until the platform is re-enrolled (`totp confirm`).
    Column("pending_key_name", String(200), nullable=True),
    Column("pending_generation", Integer(), nullable=True),
    Column("pending_idempotency_key", String(200), nullable=True),
)

#: History of a person's membership in an account's Vault group (possible exposure).
vault_memberships = Table(
    "vault_memberships",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("person_id", Integer(), ForeignKey("people.id"), nullable=False, index=True),
    Column("account_id", Integer(), ForeignKey("accounts.id"), nullable=False),
    Column("added_at", UTCDateTime(), nullable=False),
    Column("removed_at", UTCDateTime(), nullable=True),
    Index("ix_vault_memberships_account_id", "account_id", "removed_at"),
)

credential_versions = Table(
    "credential_versions",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("credential_id", Integer(), ForeignKey("credentials.id"), nullable=False),
    Column("version", Integer(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("superseded_at", UTCDateTime(), nullable=True),
    Column("state", String(20), nullable=False),
    Column("reason", Text(), nullable=True),
    Column("run_id", String(40), nullable=True),
    Column("rotated_by", String(320), nullable=True),
    # A rollback writes an old value again: whoever knew that version knows this one.
    Column("restored_from", Integer(), nullable=True),
    Column("idempotency_key", String(200), nullable=True),
    UniqueConstraint("credential_id", "version", name="uq_credential_versions_credential_id"),
)

#: Which fields a version written by ``creds set`` wrote and whether each value changed. A
#: version without rows (a rotation, or one written before 0010) changed the password only.
credential_field_writes = Table(
    "credential_field_writes",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("credential_id", Integer(), ForeignKey("credentials.id"), nullable=False),
    Column("version", Integer(), nullable=False),
    Column("field", String(40), nullable=False),
    Column("changed", Boolean(), nullable=False),
    Column("written_at", UTCDateTime(), nullable=False),
    UniqueConstraint(
        "credential_id", "version", "field", name="uq_credential_field_writes_version_field"
    ),
)

#: Observed exposure: a person saw one field of a version (reveal, seed shown or pasted,
#: TOTP code). ``field`` is ``all`` for rows from before 0010 (every field of that version).
exposures = Table(
    "exposures",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("person_id", Integer(), ForeignKey("people.id"), nullable=False),
    Column("credential_id", Integer(), ForeignKey("credentials.id"), nullable=True),
    Column("totp_key_id", Integer(), ForeignKey("totp_keys.id"), nullable=True),
    Column("kind", String(20), nullable=False),
    # Core inserts that name no field cover every field of the version (``all``).
    Column("field", String(40), nullable=False, default="all"),
    Column("version", Integer(), nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("reason", Text(), nullable=True),
    Column("run_id", String(40), nullable=True),
    Column("actor", String(320), nullable=True),
    Index("ix_exposures_person_id_credential_id", "person_id", "credential_id"),
)
