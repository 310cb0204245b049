"""exposure per field: which field of a version a person saw; which fields a version changed

Old exposure rows are mapped: a reveal or an entered login covers every field of that
version (``all``), a TOTP code ``totp_code``, a seed export ``totp_seed``; a seed export
becomes ``seed-shown`` (the seed shown once to the operator at enrolment), and a key
marked exported because its seed was shown to a person of the inventory is no longer
marked (that person's exposure remains, and clears when the seed is re-enrolled).

Revision ID: 0010
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credential_field_writes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_credential_field_writes_credential_id_credentials"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_field_writes")),
        sa.UniqueConstraint(
            "credential_id", "version", "field", name="uq_credential_field_writes_version_field"
        ),
    )
    with op.batch_alter_table("exposures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("field", sa.String(length=40), nullable=True))
    op.execute("UPDATE exposures SET field = 'all' WHERE credential_id IS NOT NULL")
    op.execute(
        "UPDATE exposures SET field = 'totp_code' WHERE field IS NULL AND kind = 'totp-code'"
    )
    op.execute("UPDATE exposures SET field = 'totp_seed' WHERE field IS NULL")
    op.execute("UPDATE exposures SET kind = 'seed-shown' WHERE kind = 'seed-export'")
    op.execute(
        sa.text(
            "UPDATE totp_keys SET exported = :no WHERE exported = :yes AND EXISTS ("
            "SELECT 1 FROM exposures WHERE exposures.totp_key_id = totp_keys.id "
            "AND exposures.kind = 'seed-shown' AND exposures.version = totp_keys.generation)"
        ).bindparams(no=False, yes=True)
    )
    with op.batch_alter_table("exposures", schema=None) as batch_op:
        batch_op.alter_column("field", existing_type=sa.String(length=40), nullable=False)


def downgrade() -> None:
    op.execute(
        "UPDATE exposures SET kind = 'seed-export' WHERE kind IN ('seed-shown', 'seed-pasted')"
    )
    with op.batch_alter_table("exposures", schema=None) as batch_op:
        batch_op.drop_column("field")
    op.drop_table("credential_field_writes")
