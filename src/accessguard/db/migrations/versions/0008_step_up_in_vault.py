"""step-up: used codes and failures move to Vault KV (a database writer could delete them).

The ledgers start empty in Vault: codes used in the last five minutes before the upgrade
could be presented once more, and a lockout in progress ends. Nothing else is lost.

Revision ID: 0008
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("step_up_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_step_up_failures_operator_at")
    op.drop_table("step_up_failures")
    op.drop_table("step_up_uses")


def downgrade() -> None:
    op.create_table(
        "step_up_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator", sa.String(length=200), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_up_uses")),
        sa.UniqueConstraint("operator", "code_digest", name="uq_step_up_uses_operator_code"),
    )
    op.create_table(
        "step_up_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_up_failures")),
    )
    with op.batch_alter_table("step_up_failures", schema=None) as batch_op:
        batch_op.create_index("ix_step_up_failures_operator_at", ["operator", "at"], unique=False)
