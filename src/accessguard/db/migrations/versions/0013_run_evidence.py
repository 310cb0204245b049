"""run evidence files and resumes: an item's evidence file (SHA-256, name); who resumed; lock heartbeats.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("run_items", sa.Column("evidence_sha256", sa.String(length=64), nullable=True))
    op.add_column("run_items", sa.Column("evidence_file", sa.String(length=255), nullable=True))
    op.add_column("runs", sa.Column("resumed_by", sa.String(length=320), nullable=True))
    op.add_column("run_locks", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run_locks") as batch:
        batch.drop_column("heartbeat_at")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("resumed_by")
    with op.batch_alter_table("run_items") as batch:
        batch.drop_column("evidence_file")
        batch.drop_column("evidence_sha256")
