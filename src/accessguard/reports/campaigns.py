"""Review campaigns: start for a scope, reviewers decide keep or revoke, report the evidence.

Closing (which revokes through the offboarding engine) lives in ``campaign_close``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, literal, select
from sqlalchemy.orm import Session

from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.errors import ConflictError, InputError, NotFoundError
from accessguard.inventory.lookup import get_account, get_person
from accessguard.inventory.models import Account, Grant, Person
from accessguard.inventory.vocab import PLATFORMS
from accessguard.reports.models import DECISIONS, ReviewCampaign, ReviewItem


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


def get_campaign(session: Session, campaign_id: int, *, lock: bool = False) -> ReviewCampaign:
    """A campaign by id; NotFoundError with a hint otherwise."""
    query = select(ReviewCampaign).where(ReviewCampaign.id == campaign_id)
    campaign = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if campaign is None:
        raise NotFoundError(
            f"no review campaign #{campaign_id}",
            hint="see `accessguard review pending` for open campaigns",
            code="campaign-not-found",
        )
    return campaign


def start_campaign(
    session: Session, clock: Clock, actor: str, *, scope: str, reviewer: str, due: date
) -> ReviewCampaign:
    """Put every active grant in scope before ``reviewer``, due on ``due`` (set-based insert)."""
    kind, value = parse_scope(scope)
    person = get_person(session, reviewer)
    if due < clock.now().date():
        raise InputError(f"due: {due.isoformat()} is in the past")
    grants = select(Grant).where(Grant.revoked_at.is_(None))
    if kind == "platform":
        if value not in PLATFORMS:
            raise InputError(
                f"platform: {value!r} is unknown", hint=f"one of: {', '.join(PLATFORMS)}"
            )
        grants = grants.join(Account, Account.id == Grant.account_id).where(
            Account.platform == value
        )
    elif kind == "account":
        account = get_account(session, value or "")
        value = account.name
        grants = grants.where(Grant.account_id == account.id)
    now = clock.now()
    campaign = ReviewCampaign(
        scope_kind=kind,
        scope_value=value,
        reviewer_email=person.email,
        due_date=due,
        status="open",
        item_count=0,
        created_at=now,
        created_by=actor,
    )
    session.add(campaign)
    session.flush()
    source = grants.with_only_columns(
        literal(campaign.id),
        Grant.id,
        Grant.person_id,
        Grant.account_id,
        Grant.role,
        Grant.via,
        literal(person.email),
    )
    session.execute(
        insert(ReviewItem).from_select(
            ["campaign_id", "grant_id", "person_id", "account_id", "role", "via", "reviewer_email"],
            source,
        )
    )
    campaign.item_count = session.execute(
        select(func.count()).where(ReviewItem.campaign_id == campaign.id)
    ).scalar_one()
    record(
        session,
        clock,
        actor=actor,
        action="review.start",
        target_type="review-campaign",
        target=str(campaign.id),
        details={
            "scope": campaign.scope,
            "reviewer": person.email,
            "due": due.isoformat(),
            "items": campaign.item_count,
        },
    )
    return campaign


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def _item_rows(session: Session, query: Any, today: date) -> Iterator[dict[str, Any]]:
    for item, campaign, email, account in session.execute(query):
        yield {
            "item": item.id,
            "campaign": campaign.id,
            "grant_id": item.grant_id,
            "person": email,
            "account": account,
            "role": item.role,
            "via": item.via,
            "reviewer": item.reviewer_email,
            "due": campaign.due_date.isoformat(),
            "overdue": item.decision is None and campaign.due_date < today,
            "decision": item.decision,
            "note": item.note,
            "decided_at": _iso(item.decided_at),
            "decided_by": item.decided_by,
            "outcome": item.outcome,
            "outcome_message": item.outcome_message,
            "applied_at": _iso(item.applied_at),
        }


def _items_query() -> Any:
    return (
        select(ReviewItem, ReviewCampaign, Person.email, Account.name)
        .join(ReviewCampaign, ReviewCampaign.id == ReviewItem.campaign_id)
        .join(Person, Person.id == ReviewItem.person_id)
        .join(Account, Account.id == ReviewItem.account_id)
        .order_by(ReviewItem.id)
        .execution_options(yield_per=2000)
    )


def pending_items(
    session: Session, today: date, *, reviewer: str | None = None
) -> Iterator[dict[str, Any]]:
    """Undecided items of open campaigns (optionally one reviewer's), oldest first."""
    query = _items_query().where(ReviewCampaign.status == "open", ReviewItem.decision.is_(None))
    if reviewer:
        query = query.where(ReviewItem.reviewer_email == reviewer.strip().lower())
    return _item_rows(session, query, today)


def decide(
    session: Session,
    clock: Clock,
    actor: str,
    item_id: int,
    decision: str,
    *,
    note: str | None = None,
    override: bool = False,
) -> ReviewItem:
    """Record keep or revoke on an item of an open campaign (re-deciding is allowed, audited).

    Only the item's reviewer decides, unless ``override`` (with a note saying why); nobody
    attests ``keep`` on their own access.
    """
    if decision not in DECISIONS:
        raise InputError(f"decision: {decision!r} is not one of: {', '.join(DECISIONS)}")
    item = session.get(ReviewItem, item_id)
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
    previous = item.decision
    item.decision = decision
    item.note = (note or "").strip() or None
    item.decided_at = clock.now()
    item.decided_by = actor
    session.flush()
    record(
        session,
        clock,
        actor=actor,
        action="review.decide",
        target_type="review-item",
        target=str(item.id),
        details={
            "campaign": campaign.id,
            "grant_id": item.grant_id,
            "decision": decision,
            "previous": previous,
            "note": item.note,
            "reviewer": item.reviewer_email,
            "override": override,
        },
    )
    return item


def _check_decider(
    session: Session,
    item: ReviewItem,
    actor: str,
    decision: str,
    *,
    note: str | None,
    override: bool,
) -> None:
    """The reviewer decides (or an override with a reason); no one keeps their own access."""
    holder = session.execute(
        select(Person.email)
        .join(Grant, Grant.person_id == Person.id)
        .where(Grant.id == item.grant_id)
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
            hint="act as the reviewer (--actor), or pass --override with a --note saying why",
            code="review-not-reviewer",
        )
    if not (note or "").strip():
        raise InputError("--override needs a --note saying why (it is kept as evidence)")


def campaign_report(session: Session, campaign_id: int, today: date) -> dict[str, Any]:
    """The attestation evidence: the campaign, every item, who decided what and when."""
    campaign = get_campaign(session, campaign_id)
    items = list(
        _item_rows(session, _items_query().where(ReviewItem.campaign_id == campaign_id), today)
    )
    counts = {"keep": 0, "revoke": 0, "undecided": 0}
    for item in items:
        counts[item["decision"] or "undecided"] += 1
    return {
        "campaign": campaign.id,
        "scope": campaign.scope,
        "reviewer": campaign.reviewer_email,
        "due": campaign.due_date.isoformat(),
        "status": campaign.status,
        "created_at": _iso(campaign.created_at),
        "created_by": campaign.created_by,
        "closed_at": _iso(campaign.closed_at),
        "closed_by": campaign.closed_by,
        "counts": counts,
        "items": items,
    }
