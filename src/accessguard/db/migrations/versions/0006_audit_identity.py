"""audit: the key that made each event's hash, and the authenticated identity beside the actor.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("hash_key", 40),
    ("vault_name", 320),
    ("vault_entity", 64),
    ("os_user", 128),
)


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        for name, length in _COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        for name, _length in reversed(_COLUMNS):
            batch.drop_column(name)
