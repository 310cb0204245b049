"""Tables: lock-out facts fetched from the platforms: Google Workspace super admins (0014),
Meta businesses' 2FA requirement and business users (0016)."""

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

#: The last lock-out scan of a Meta account: its business and the business-wide 2FA
#: requirement (``two_factor_type``); accounts of one business each keep a copy.
meta_scans = Table(
    "meta_scans",
    metadata,
    Column("account_id", Integer(), ForeignKey("accounts.id"), primary_key=True),
    Column("scanned_at", UTCDateTime(), nullable=False),
    Column("business_id", String(64), nullable=False),
    Column("business_name", String(200), nullable=True),
    Column("two_factor_type", String(64), nullable=True),
)

#: The business users that scan saw, with their 2FA status and pending email change.
meta_business_users = Table(
    "meta_business_users",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("account_id", Integer(), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("user_id", String(64), nullable=False),
    Column("name", String(200), nullable=True),
    Column("email", String(320), nullable=True),
    Column("role", String(64), nullable=True),
    Column("two_fac_status", String(64), nullable=True),
    Column("pending_email", String(320), nullable=True),
)
