"""change feeds: per-account cursors of platform activity logs and the entries recorded.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "changefeed_cursors",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("read_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_changefeed_cursors_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["reconcile_runs.id"],
            name=op.f("fk_changefeed_cursors_run_id_reconcile_runs"),
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_changefeed_cursors")),
    )
    op.create_table(
        "platform_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_platform_changes_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["reconcile_runs.id"],
            name=op.f("fk_platform_changes_run_id_reconcile_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_changes")),
        sa.UniqueConstraint(
            "account_id", "fingerprint", name=op.f("uq_platform_changes_account_id")
        ),
    )
    with op.batch_alter_table("platform_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_platform_changes_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("platform_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_platform_changes_run_id"))
    op.drop_table("platform_changes")
    op.drop_table("changefeed_cursors")
