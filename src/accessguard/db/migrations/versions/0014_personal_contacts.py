"""people: personal email and phone from the HR feed (matched against recovery channels).

Revision ID: 0014
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personal_email", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("personal_phone", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("personal_phone")
        batch_op.drop_column("personal_email")
