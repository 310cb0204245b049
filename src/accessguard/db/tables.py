"""Every table of the database, written by hand: the one schema.

Alembic's environment targets this ``metadata`` and a test compares it with what the
migrations build (SQLite and PostgreSQL), so a change here needs a migration. Reads
and writes are Core statements on these tables through each package's typed records
and query functions, in the transaction ``App.begin()`` opens; there is no ORM mapping.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from accessguard.db.types import UTCDateTime

#: Constraint and index names the migrations use (``op.f`` keeps them as given).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

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
    Index("ix_grants_person_active", "person_id", "revoked_at"),
    Index("ix_grants_account_active", "account_id", "revoked_at"),
)

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

#: Observed exposure: a person saw a version (reveal, TOTP code, seed export).
exposures = Table(
    "exposures",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("person_id", Integer(), ForeignKey("people.id"), nullable=False),
    Column("credential_id", Integer(), ForeignKey("credentials.id"), nullable=True),
    Column("totp_key_id", Integer(), ForeignKey("totp_keys.id"), nullable=True),
    Column("kind", String(20), nullable=False),
    Column("version", Integer(), nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("reason", Text(), nullable=True),
    Column("run_id", String(40), nullable=True),
    Column("actor", String(320), nullable=True),
    Index("ix_exposures_person_id_credential_id", "person_id", "credential_id"),
)

# -- playbook runs (0003) ----------------------------------------------------------------

#: One execution of a playbook for a subject; ``plan`` is the exact plan it executes.
runs = Table(
    "runs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("subject", String(320), nullable=False, index=True),
    Column("playbook", String(100), nullable=False),
    Column("playbook_digest", String(64), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("plan", JSON(), nullable=False),
    Column("actor", String(320), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
)

run_steps = Table(
    "run_steps",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("run_id", String(40), ForeignKey("runs.id"), nullable=False),
    Column("step_id", String(100), nullable=False),
    Column("position", Integer(), nullable=False),
    Column("action", String(60), nullable=False),
    Column("status", String(20), nullable=False),
    Column("started_at", UTCDateTime(), nullable=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    UniqueConstraint("run_id", "step_id", name="uq_run_steps_run_step"),
)

run_items = Table(
    "run_items",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("run_id", String(40), ForeignKey("runs.id"), nullable=False),
    Column("step_id", String(100), nullable=False),
    Column("item_id", String(100), nullable=False),
    Column("position", Integer(), nullable=False),
    Column("label", Text(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer(), nullable=False, default=0),
    Column("result", JSON(), nullable=True),
    Column("instructions", Text(), nullable=True),
    Column("evidence", Text(), nullable=True),
    Column("confirmed_by", String(320), nullable=True),
    Column("confirmed_at", UTCDateTime(), nullable=True),
    Column("started_at", UTCDateTime(), nullable=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    UniqueConstraint("run_id", "step_id", "item_id", name="uq_run_items_run_step_item"),
    Index("ix_run_items_run_status", "run_id", "status"),
)

#: One row per subject with a run in progress; the primary key makes the INSERT the lock.
run_locks = Table(
    "run_locks",
    metadata,
    Column("subject", String(320), primary_key=True),
    Column("run_id", String(40), nullable=False),
    Column("holder", String(200), nullable=False),
    Column("acquired_at", UTCDateTime(), nullable=False),
)

# -- reconciliation (0004) -----------------------------------------------------------------

reconcile_runs = Table(
    "reconcile_runs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("started_at", UTCDateTime(), nullable=False, index=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("actor", String(320), nullable=False),
    Column("scope", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("accounts_checked", Integer(), nullable=False, default=0),
    Column("drift_count", Integer(), nullable=False, default=0),
)

reconcile_checks = Table(
    "reconcile_checks",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("run_id", String(40), ForeignKey("reconcile_runs.id"), nullable=False, index=True),
    Column("account_id", Integer(), ForeignKey("accounts.id"), nullable=False),
    Column("checked_at", UTCDateTime(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("connector", String(60), nullable=True),
    Column("holders", Integer(), nullable=False, default=0),
    Column("grants", Integer(), nullable=False, default=0),
    Column("error", Text(), nullable=True),
    Index("ix_reconcile_checks_account_time", "account_id", "checked_at"),
)

drift_items = Table(
    "drift_items",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("run_id", String(40), ForeignKey("reconcile_runs.id"), nullable=False, index=True),
    Column("check_id", Integer(), ForeignKey("reconcile_checks.id"), nullable=False, index=True),
    Column("account_id", Integer(), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("account_name", String(100), nullable=False),
    Column("platform", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("person_id", Integer(), ForeignKey("people.id"), nullable=True),
    Column("grant_id", Integer(), ForeignKey("grants.id"), nullable=True),
    Column("email", String(320), nullable=True),
    Column("platform_id", String(200), nullable=True),
    Column("holder_name", String(200), nullable=True),
    Column("role", String(200), nullable=True),
    Column("found_at", UTCDateTime(), nullable=False),
)

# -- access reviews (0005) -----------------------------------------------------------------

review_campaigns = Table(
    "review_campaigns",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("scope_kind", String(20), nullable=False),
    Column("scope_value", String(200), nullable=True),
    Column("reviewer_email", String(320), nullable=False),
    Column("due_date", Date(), nullable=False),
    Column("status", String(20), nullable=False, default="open", index=True),
    Column("item_count", Integer(), nullable=False, default=0),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(320), nullable=False),
    Column("closed_at", UTCDateTime(), nullable=True),
    Column("closed_by", String(320), nullable=True),
)

review_items = Table(
    "review_items",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("campaign_id", Integer(), ForeignKey("review_campaigns.id"), nullable=False),
    Column("grant_id", Integer(), ForeignKey("grants.id"), nullable=False, index=True),
    Column("person_id", Integer(), ForeignKey("people.id"), nullable=False),
    Column("account_id", Integer(), ForeignKey("accounts.id"), nullable=False),
    Column("role", String(60), nullable=False),
    Column("via", String(20), nullable=False),
    Column("reviewer_email", String(320), nullable=False),
    Column("decision", String(20), nullable=True),
    Column("note", Text(), nullable=True),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("decided_by", String(320), nullable=True),
    Column("applied_at", UTCDateTime(), nullable=True),
    Column("outcome", String(20), nullable=True),
    Column("outcome_message", Text(), nullable=True),
    Index("ix_review_items_campaign_decision", "campaign_id", "decision"),
)

# -- step-up (0007) ------------------------------------------------------------------------

#: Step-up codes Vault accepted, one row per operator and code: the unique constraint
#: makes a replayed code (or two commands racing with one code) fail to insert.
step_up_uses = Table(
    "step_up_uses",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("operator", String(200), nullable=False),
    Column("code_digest", String(64), nullable=False),
    Column("used_at", UTCDateTime(), nullable=False),
    UniqueConstraint("operator", "code_digest", name="uq_step_up_uses_operator_code"),
)

#: Step-up codes Vault refused, per operator: enough of them in a window locks step-up.
step_up_failures = Table(
    "step_up_failures",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("operator", String(200), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Index("ix_step_up_failures_operator_at", "operator", "at"),
)
