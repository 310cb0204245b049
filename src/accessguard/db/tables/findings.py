"""Tables: findings' lifecycle, risk acceptances (0011)."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from accessguard.db.tables._meta import metadata
from accessguard.db.types import UTCDateTime

# -- finding acceptances (0011) --------------------------------------------------------------

#: A risk accepted until ``expires_at`` by ``accepted_by``: the finding ``finding_id``
#: (kind:subject_type:subject_id) is reported as accepted, not counted, while the
#: acceptance is live and the finding is no worse than ``severity``. Never deleted:
#: withdrawing one stamps ``revoked_*``.
finding_acceptances = Table(
    "finding_acceptances",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("finding_id", String(600), nullable=False),
    Column("kind", String(60), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("note", Text(), nullable=False),
    Column("accepted_at", UTCDateTime(), nullable=False),
    Column("accepted_by", String(320), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Column("revoked_by", String(320), nullable=True),
    Index("ix_finding_acceptances_finding_id", "finding_id", "revoked_at"),
)
