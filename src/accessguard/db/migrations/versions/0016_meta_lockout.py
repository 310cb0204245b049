"""meta_scans and meta_business_users: Meta businesses' 2FA requirement and business users
(2FA status, pending email change) as last fetched by ``report access --fetch-lockout``.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta_scans",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("business_id", sa.String(length=64), nullable=False),
        sa.Column("business_name", sa.String(length=200), nullable=True),
        sa.Column("two_factor_type", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_meta_scans_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_meta_scans")),
    )
    op.create_table(
        "meta_business_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("role", sa.String(length=64), nullable=True),
        sa.Column("two_fac_status", sa.String(length=64), nullable=True),
        sa.Column("pending_email", sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_meta_business_users_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meta_business_users")),
    )
    with op.batch_alter_table("meta_business_users", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meta_business_users_account_id"), ["account_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("meta_business_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meta_business_users_account_id"))
    op.drop_table("meta_business_users")
    op.drop_table("meta_scans")
