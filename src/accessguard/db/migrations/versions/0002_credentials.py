"""credentials: shared logins, their versions, TOTP keys, exposures, Vault identities

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _dt(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "vault_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(length=80), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        _dt("created_at", False),
        _dt("disabled_at", True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_vault_identities_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vault_identities")),
        sa.UniqueConstraint("person_id", name=op.f("uq_vault_identities_person_id")),
        sa.UniqueConstraint("username", name=op.f("uq_vault_identities_username")),
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("vault_path", sa.String(length=400), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("previous_version", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        _dt("rotated_at", True),
        sa.Column("rotated_by", sa.String(length=320), nullable=True),
        _dt("created_at", False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_credentials_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
        sa.UniqueConstraint("account_id", name=op.f("uq_credentials_account_id")),
    )
    op.create_table(
        "totp_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("key_name", sa.String(length=200), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        _dt("enrolled_at", False),
        sa.Column("enrolled_by", sa.String(length=320), nullable=False),
        sa.Column("exported", sa.Boolean(), nullable=False),
        _dt("exported_at", True),
        sa.Column("exported_by", sa.String(length=320), nullable=True),
        sa.Column("personal_device", sa.Boolean(), nullable=False),
        _dt("retired_at", True),
        sa.Column("pending_key_name", sa.String(length=200), nullable=True),
        sa.Column("pending_generation", sa.Integer(), nullable=True),
        sa.Column("pending_idempotency_key", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_totp_keys_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_totp_keys")),
        sa.UniqueConstraint("account_id", name=op.f("uq_totp_keys_account_id")),
    )
    op.create_table(
        "vault_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        _dt("added_at", False),
        _dt("removed_at", True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_vault_memberships_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_vault_memberships_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vault_memberships")),
    )
    op.create_index(
        "ix_vault_memberships_account_id",
        "vault_memberships",
        ["account_id", "removed_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_vault_memberships_person_id"), "vault_memberships", ["person_id"], unique=False
    )
    op.create_table(
        "credential_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _dt("created_at", False),
        _dt("superseded_at", True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("run_id", sa.String(length=40), nullable=True),
        sa.Column("rotated_by", sa.String(length=320), nullable=True),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_credential_versions_credential_id_credentials"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_versions")),
        sa.UniqueConstraint(
            "credential_id", "version", name="uq_credential_versions_credential_id"
        ),
    )
    op.create_table(
        "exposures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=True),
        sa.Column("totp_key_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _dt("occurred_at", False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("run_id", sa.String(length=40), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_exposures_credential_id_credentials"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_exposures_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["totp_key_id"], ["totp_keys.id"], name=op.f("fk_exposures_totp_key_id_totp_keys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exposures")),
    )
    op.create_index(
        "ix_exposures_person_id_credential_id",
        "exposures",
        ["person_id", "credential_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_exposures_person_id_credential_id", table_name="exposures")
    op.drop_table("exposures")
    op.drop_table("credential_versions")
    op.drop_index(op.f("ix_vault_memberships_person_id"), table_name="vault_memberships")
    op.drop_index("ix_vault_memberships_account_id", table_name="vault_memberships")
    op.drop_table("vault_memberships")
    op.drop_table("totp_keys")
    op.drop_table("credentials")
    op.drop_table("vault_identities")
