"""Read stored drift: each account's items from its latest successful reconcile check."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accessguard.connectors.models import DriftItem, ReconcileCheck


def latest_drift(session: Session, *, account_id: int | None = None) -> list[DriftItem]:
    """Drift items of every account's most recent ``ok`` check (one account if given)."""
    latest = (
        select(ReconcileCheck.account_id, func.max(ReconcileCheck.id).label("check_id"))
        .where(ReconcileCheck.status == "ok")
        .group_by(ReconcileCheck.account_id)
    )
    if account_id is not None:
        latest = latest.where(ReconcileCheck.account_id == account_id)
    sub = latest.subquery()
    query = (
        select(DriftItem)
        .join(sub, DriftItem.check_id == sub.c.check_id)
        .order_by(DriftItem.account_name, DriftItem.kind, DriftItem.email, DriftItem.id)
    )
    return list(session.execute(query).scalars())
