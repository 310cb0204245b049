"""finding acceptances: a risk accepted until a date, by whom, why (report accept).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "finding_acceptances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.String(length=600), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_by", sa.String(length=320), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=320), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_acceptances")),
    )
    with op.batch_alter_table("finding_acceptances", schema=None) as batch_op:
        batch_op.create_index(
            "ix_finding_acceptances_finding_id", ["finding_id", "revoked_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("finding_acceptances", schema=None) as batch_op:
        batch_op.drop_index("ix_finding_acceptances_finding_id")
    op.drop_table("finding_acceptances")
