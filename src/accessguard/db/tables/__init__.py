"""Every table of the database, written by hand: the one schema, one module per area.

Alembic's environment targets this ``metadata`` and a test compares it with what the
migrations build (SQLite and PostgreSQL), so a change here needs a migration. Reads
and writes are Core statements on these tables through each package's typed records
and query functions, in the transaction ``App.begin()`` opens; there is no ORM mapping.
"""

from __future__ import annotations

from accessguard.db.tables._meta import NAMING_CONVENTION, metadata
from accessguard.db.tables.audit_inventory import (
    accounts,
    audit_events,
    audit_head,
    employments,
    grants,
    people,
)
from accessguard.db.tables.changefeed import changefeed_cursors, platform_changes
from accessguard.db.tables.credentials import (
    credential_field_writes,
    credential_versions,
    credentials,
    exposures,
    totp_keys,
    vault_identities,
    vault_memberships,
)
from accessguard.db.tables.findings import finding_acceptances
from accessguard.db.tables.lockout import (
    meta_business_users,
    meta_scans,
    workspace_admins,
    workspace_scans,
)
from accessguard.db.tables.reconcile import (
    drift_items,
    reconcile_checks,
    reconcile_runs,
)
from accessguard.db.tables.reviews import (
    review_campaigns,
    review_items,
)
from accessguard.db.tables.runs import (
    run_items,
    run_locks,
    run_steps,
    runs,
)

__all__ = [
    "NAMING_CONVENTION",
    "accounts",
    "audit_events",
    "audit_head",
    "changefeed_cursors",
    "credential_field_writes",
    "credential_versions",
    "credentials",
    "drift_items",
    "employments",
    "exposures",
    "finding_acceptances",
    "grants",
    "meta_business_users",
    "meta_scans",
    "metadata",
    "people",
    "platform_changes",
    "reconcile_checks",
    "reconcile_runs",
    "review_campaigns",
    "review_items",
    "run_items",
    "run_locks",
    "run_steps",
    "runs",
    "totp_keys",
    "vault_identities",
    "vault_memberships",
    "workspace_admins",
    "workspace_scans",
]
