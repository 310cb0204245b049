"""revoke-pending grants: a grant whose platform removal failed or waits stays held.

Revision ID: 0009
Revises: 0012 (written on 0007; chained after the migrations main gained meanwhile)
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("grants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("revoke_pending_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("revoke_pending_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("revoke_pending_run", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("removal_confirmed_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("grants", schema=None) as batch_op:
        batch_op.drop_column("removal_confirmed_at")
        batch_op.drop_column("revoke_pending_run")
        batch_op.drop_column("revoke_pending_reason")
        batch_op.drop_column("revoke_pending_at")
