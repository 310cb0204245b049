"""people: personal email and phone from the HR feed (matched against recovery channels);
workspace_scans and workspace_admins: Google Workspace super admins as last fetched.

Revision ID: 0014
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personal_email", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("personal_phone", sa.String(length=40), nullable=True))
    op.create_table(
        "workspace_scans",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_workspace_scans_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_workspace_scans")),
    )
    op.create_table(
        "workspace_admins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("enrolled_2sv", sa.Boolean(), nullable=False),
        sa.Column("recovery_email", sa.String(length=320), nullable=True),
        sa.Column("recovery_phone", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_workspace_admins_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace_admins")),
    )
    with op.batch_alter_table("workspace_admins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workspace_admins_account_id"), ["account_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("workspace_admins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workspace_admins_account_id"))
    op.drop_table("workspace_admins")
    op.drop_table("workspace_scans")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("personal_phone")
        batch_op.drop_column("personal_email")
