"""Review campaigns: start for a scope, reviewers decide keep or revoke, report the evidence.

Records and query functions on the Core tables; the caller owns the transaction
(``with app.begin() as conn``). Closing (a plan run by the engine) is in ``close.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, literal, select, update

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import grants as _GRANTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.db.tables import review_campaigns as _CAMPAIGNS
from accessguard.db.tables import review_items as _ITEMS
from accessguard.errors import ConflictError, InputError, NotFoundError
from accessguard.inventory.archived import refuse_archived
from accessguard.inventory.records import get_account_record, get_person_record
from accessguard.inventory.vocab import PLATFORMS
from accessguard.reviews.outcomes import item_outcomes

CAMPAIGN_STATUSES = ("open", "closed")
SCOPE_KINDS = ("all", "platform", "account")
DECISIONS = ("keep", "revoke")


@dataclass(frozen=True, slots=True)
class Campaign:
    """A review campaign: active grants in a scope put before one reviewer, with a deadline."""

    id: int
    scope_kind: str
    scope_value: str | None
    reviewer_email: str
    due_date: date
    status: str
    item_count: int
    created_at: datetime
    created_by: str
    closed_at: datetime | None
    closed_by: str | None

    @property
    def label(self) -> str:
        """How the campaign is named in reasons and messages."""
        return f"review campaign #{self.id}"

    @property
    def scope(self) -> str:
        """The scope as typed: ``all``, ``platform x`` or ``account brand-x``."""
        return self.scope_kind if not self.scope_value else f"{self.scope_kind} {self.scope_value}"


def parse_scope(scope: str, value: str | None = None) -> tuple[str, str | None]:
    """``all``, ``platform P`` or ``account A`` (also ``platform:P``) -> (kind, value)."""
    text = scope.strip()
    kind, _, rest = text.replace(":", " ", 1).partition(" ")
    kind = kind.lower()
    target = (rest.strip() or (value or "").strip()) or None
    if kind == "all" and target is None:
        return "all", None
    if kind in ("platform", "account") and target:
        return kind, target
    raise InputError(
        f"scope: {text!r} is not one of: all, platform P, account A",
        hint="for example --scope all, --scope platform x, --scope account brand-main",
    )


def get_campaign(session: Connection, campaign_id: int, *, lock: bool = False) -> Campaign:
    """A campaign by id (``lock``: FOR UPDATE); NotFoundError with a hint otherwise."""
    query = select(_CAMPAIGNS).where(_CAMPAIGNS.c.id == campaign_id)
    row = session.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFoundError(
            f"no review campaign #{campaign_id}",
            hint="see `accessguard review pending` for open campaigns",
            code="campaign-not-found",
        )
    return Campaign(**row._asdict())


def start_campaign(
    session: Connection, clock: Clock, actor: str, *, scope: str, reviewer: str, due: date
) -> Campaign:
    """Put every active grant in scope before ``reviewer``, due on ``due`` (set-based insert)."""
    kind, value = parse_scope(scope)
    person = get_person_record(session, reviewer)
    if due < clock.now().date():
        raise InputError(f"due: {due.isoformat()} is in the past")
    grants = _GRANTS.c
    source = select(grants.id, grants.person_id, grants.account_id, grants.role, grants.via).where(
        grants.revoked_at.is_(None)
    )
    if kind == "platform":
        if value not in PLATFORMS:
            raise InputError(
                f"platform: {value!r} is unknown", hint=f"one of: {', '.join(PLATFORMS)}"
            )
        source = source.join(_ACCOUNTS, _ACCOUNTS.c.id == grants.account_id).where(
            _ACCOUNTS.c.platform == value
        )
    elif kind == "account":
        account = refuse_archived(
            get_account_record(session, value or ""),
            doing="it holds no access to review (no campaign was started)",
        )
        value = account.name
        source = source.where(grants.account_id == account.id)
    if not session.execute(select(func.count()).select_from(source.subquery())).scalar_one():
        raise InputError(
            f"nothing to review in {kind}{':' + value if value else ''}: it holds no active grant",
            hint="no campaign was started; `accessguard who-has ACCOUNT` shows what is held",
        )
    now = clock.now()
    (campaign_id,) = session.execute(
        insert(_CAMPAIGNS)
        .values(
            scope_kind=kind,
            scope_value=value,
            reviewer_email=person.email,
            due_date=due,
            status="open",
            item_count=0,
            created_at=now,
            created_by=actor,
        )
        .returning(_CAMPAIGNS.c.id)
    ).one()
    columns = ["campaign_id", "grant_id", "person_id", "account_id", "role", "via"]
    session.execute(
        insert(_ITEMS).from_select(
            [*columns, "reviewer_email"],
            source.with_only_columns(
                literal(campaign_id),
                grants.id,
                grants.person_id,
                grants.account_id,
                grants.role,
                grants.via,
                literal(person.email),
            ),
        )
    )
    count = session.execute(
        select(func.count()).where(_ITEMS.c.campaign_id == campaign_id)
    ).scalar_one()
    session.execute(
        update(_CAMPAIGNS).where(_CAMPAIGNS.c.id == campaign_id).values(item_count=count)
    )
    campaign = get_campaign(session, campaign_id)
    record(
        session,
        clock,
        actor=actor,
        action=AuditAction.REVIEW_START,
        target_type="review-campaign",
        target=str(campaign_id),
        details={
            "scope": campaign.scope,
            "reviewer": person.email,
            "due": due.isoformat(),
            "items": count,
        },
    )
    return campaign


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def _items_query() -> Any:
    items, campaigns = _ITEMS.c, _CAMPAIGNS.c
    return (
        select(
            _ITEMS,
            campaigns.due_date,
            campaigns.status.label("campaign_status"),
            _PEOPLE.c.email,
            _ACCOUNTS.c.name.label("account"),
        )
        .join(_CAMPAIGNS, campaigns.id == items.campaign_id)
        .join(_PEOPLE, _PEOPLE.c.id == items.person_id)
        .join(_ACCOUNTS, _ACCOUNTS.c.id == items.account_id)
        .order_by(items.id)
    )


def _item_rows(
    session: Connection, query: Any, today: date, outcomes: dict[int, Any] | None = None
) -> Iterator[dict[str, Any]]:
    for row in session.execute(query.execution_options(yield_per=2000)):
        applied = (outcomes or {}).get(row.grant_id) if row.decision == "revoke" else None
        yield {
            "item": row.id,
            "campaign": row.campaign_id,
            "grant_id": row.grant_id,
            "person": row.email,
            "account": row.account,
            "role": row.role,
            "via": row.via,
            "reviewer": row.reviewer_email,
            "due": row.due_date.isoformat(),
            "overdue": row.decision is None and row.due_date < today,
            "decision": row.decision,
            "note": row.note,
            "decided_at": _iso(row.decided_at),
            "decided_by": row.decided_by,
            # From the close's run when there is one; else what an earlier close stored.
            "outcome": applied.outcome if applied else row.outcome,
            "outcome_message": applied.message if applied else row.outcome_message,
            "applied_at": _iso(applied.applied_at if applied else row.applied_at),
        }


def pending_items(
    session: Connection, today: date, *, reviewer: str | None = None
) -> Iterator[dict[str, Any]]:
    """Undecided items of open campaigns (optionally one reviewer's), oldest first."""
    query = _items_query().where(_CAMPAIGNS.c.status == "open", _ITEMS.c.decision.is_(None))
    if reviewer:
        query = query.where(_ITEMS.c.reviewer_email == reviewer.strip().lower())
    return _item_rows(session, query, today)


def overdue_items(session: Connection, today: date) -> Iterator[dict[str, Any]]:
    """Undecided items of open campaigns whose due date has passed (for the findings)."""
    query = _items_query().where(
        _CAMPAIGNS.c.status == "open",
        _CAMPAIGNS.c.due_date < today,
        _ITEMS.c.decision.is_(None),
    )
    return _item_rows(session, query, today)


def decide(
    session: Connection,
    clock: Clock,
    actor: str,
    item_id: int,
    decision: str,
    *,
    note: str | None = None,
    override: bool = False,
) -> None:
    """Record keep or revoke on an item of an open campaign (re-deciding is allowed, audited).

    Only the item's reviewer decides, unless ``override`` (with a note saying why); nobody
    attests ``keep`` on their own access.
    """
    if decision not in DECISIONS:
        raise InputError(f"decision: {decision!r} is not one of: {', '.join(DECISIONS)}")
    item = session.execute(select(_ITEMS).where(_ITEMS.c.id == item_id)).first()
    if item is None:
        raise NotFoundError(
            f"no review item {item_id}",
            hint="see `accessguard review pending` for item numbers",
            code="review-item-not-found",
        )
    campaign = get_campaign(session, item.campaign_id)
    if campaign.status != "open":
        raise ConflictError(f"{campaign.label} is closed; its decisions are final")
    _check_decider(session, item, actor.strip().lower(), decision, note=note, override=override)
    kept_note = (note or "").strip() or None
    session.execute(
        update(_ITEMS)
        .where(_ITEMS.c.id == item_id)
        .values(decision=decision, note=kept_note, decided_at=clock.now(), decided_by=actor)
    )
    record(
        session,
        clock,
        actor=actor,
        action=AuditAction.REVIEW_DECIDE,
        target_type="review-item",
        target=str(item_id),
        details={
            "campaign": campaign.id,
            "grant_id": item.grant_id,
            "decision": decision,
            "previous": item.decision,
            "note": kept_note,
            "reviewer": item.reviewer_email,
            "override": override,
        },
    )


def _check_decider(
    session: Connection,
    item: Any,
    actor: str,
    decision: str,
    *,
    note: str | None,
    override: bool,
) -> None:
    """The reviewer decides (or an override with a reason); no one keeps their own access."""
    holder = session.execute(
        select(_PEOPLE.c.email)
        .join(_GRANTS, _GRANTS.c.person_id == _PEOPLE.c.id)
        .where(_GRANTS.c.id == item.grant_id)
    ).scalar_one_or_none()
    if decision == "keep" and holder == actor:
        raise ConflictError(
            f"{actor} cannot attest their own access (item {item.id})",
            hint="another reviewer decides this item (`--override` as someone else)",
            code="review-self-attestation",
        )
    if actor == (item.reviewer_email or "").lower():
        return
    if not override:
        raise ConflictError(
            f"item {item.id} is for {item.reviewer_email} to decide, not {actor}",
            hint="act as the reviewer (--actor), or pass --override with a --reason saying why",
            code="review-not-reviewer",
        )
    if not (note or "").strip():
        raise InputError("--override needs a --reason saying why (it is kept as evidence)")


def campaign_report(session: Connection, campaign_id: int, today: date) -> dict[str, Any]:
    """The attestation evidence: the campaign, every item, who decided what and when, and
    what closing did to each revoked grant (read from the close's run)."""
    campaign = get_campaign(session, campaign_id)
    outcomes = item_outcomes(session, campaign_id)
    query = _items_query().where(_ITEMS.c.campaign_id == campaign_id)
    items = list(_item_rows(session, query, today, outcomes.by_grant))
    counts = {"keep": 0, "revoke": 0, "undecided": 0}
    for item in items:
        counts[item["decision"] or "undecided"] += 1
    return {
        "campaign": campaign.id,
        "scope": campaign.scope,
        "reviewer": campaign.reviewer_email,
        "due": campaign.due_date.isoformat(),
        "status": campaign.status,
        "run": outcomes.run_id,
        "created_at": _iso(campaign.created_at),
        "created_by": campaign.created_by,
        "closed_at": _iso(campaign.closed_at),
        "closed_by": campaign.closed_by,
        "counts": counts,
        "items": items,
    }
