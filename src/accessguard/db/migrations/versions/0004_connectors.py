"""connectors: reconcile runs, checked accounts, drift items

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reconcile_runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("accounts_checked", sa.Integer(), nullable=False),
        sa.Column("drift_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconcile_runs")),
    )
    with op.batch_alter_table("reconcile_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reconcile_runs_started_at"), ["started_at"], unique=False
        )

    op.create_table(
        "reconcile_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("connector", sa.String(length=60), nullable=True),
        sa.Column("holders", sa.Integer(), nullable=False),
        sa.Column("grants", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_reconcile_checks_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["reconcile_runs.id"],
            name=op.f("fk_reconcile_checks_run_id_reconcile_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconcile_checks")),
    )
    with op.batch_alter_table("reconcile_checks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reconcile_checks_account_time", ["account_id", "checked_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reconcile_checks_run_id"), ["run_id"], unique=False)

    op.create_table(
        "drift_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("account_name", sa.String(length=100), nullable=False),
        sa.Column("platform", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("grant_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("platform_id", sa.String(length=200), nullable=True),
        sa.Column("holder_name", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_drift_items_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["reconcile_checks.id"],
            name=op.f("fk_drift_items_check_id_reconcile_checks"),
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["grants.id"], name=op.f("fk_drift_items_grant_id_grants")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_drift_items_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["reconcile_runs.id"], name=op.f("fk_drift_items_run_id_reconcile_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drift_items")),
    )
    with op.batch_alter_table("drift_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drift_items_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_drift_items_check_id"), ["check_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_drift_items_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("drift_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drift_items_run_id"))
        batch_op.drop_index(batch_op.f("ix_drift_items_check_id"))
        batch_op.drop_index(batch_op.f("ix_drift_items_account_id"))
    op.drop_table("drift_items")
    with op.batch_alter_table("reconcile_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconcile_checks_run_id"))
        batch_op.drop_index("ix_reconcile_checks_account_time")
    op.drop_table("reconcile_checks")
    with op.batch_alter_table("reconcile_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconcile_runs_started_at"))
    op.drop_table("reconcile_runs")
