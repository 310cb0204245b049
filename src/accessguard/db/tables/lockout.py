"""Tables: lock-out facts fetched from the platforms (0014): Google Workspace super admins."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table

from accessguard.db.tables._meta import metadata
from accessguard.db.types import UTCDateTime

#: The last Directory API scan of a Workspace account (``report access --fetch-lockout``);
#: an account never scanned has no row, and then no Workspace finding.
workspace_scans = Table(
    "workspace_scans",
    metadata,
    Column("account_id", Integer(), ForeignKey("accounts.id"), primary_key=True),
    Column("scanned_at", UTCDateTime(), nullable=False),
)

#: The super admins that scan saw (replaced by each scan).
workspace_admins = Table(
    "workspace_admins",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("account_id", Integer(), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("email", String(320), nullable=False),
    Column("enrolled_2sv", Boolean(), nullable=False),
    Column("recovery_email", String(320), nullable=True),
    Column("recovery_phone", String(40), nullable=True),
)
