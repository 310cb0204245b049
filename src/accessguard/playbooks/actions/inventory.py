"""Inventory actions: mark the subject leaving or departed, end grants, transfer ownership.

All of them read and write Core records in the action's own transaction (``ctx.begin``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from accessguard.clock import today
from accessguard.inventory.accounts import owner_emails, set_owner
from accessguard.inventory.admin import get_account
from accessguard.inventory.records import (
    PersonRecord,
    end_grant_ids,
    existing_grant_ids,
    get_person_record,
    update_person_record,
)
from accessguard.playbooks.context import ActionContext
from accessguard.playbooks.sources import GrantParams, HandoverParams
from accessguard.results import ActionResult

if TYPE_CHECKING:
    from sqlalchemy import Connection


def _subject(ctx: ActionContext, session: Connection) -> PersonRecord:
    return get_person_record(session, ctx.plan.email)


def mark_leaving(ctx: ActionContext) -> ActionResult:
    """Status leaving, end date today unless one is set; never undoes departed."""
    with ctx.begin() as session:
        person = _subject(ctx, session)
        changes: dict[str, object] = {}
        if person.status == "active":
            changes["status"] = "leaving"
        if person.end_date is None:
            changes["end_date"] = today(ctx.clock)
        if not changes:
            return ActionResult.unchanged(f"{person.email} is already {person.status}")
        update_person_record(session, ctx.clock, ctx.actor, person, changes)
        return ActionResult.changed(
            f"{person.email} marked leaving", **{k: str(v) for k, v in changes.items()}
        )


def mark_departed(ctx: ActionContext) -> ActionResult:
    """Status departed (end date today unless one is set)."""
    with ctx.begin() as session:
        person = _subject(ctx, session)
        changes: dict[str, object] = {}
        if person.status != "departed":
            changes["status"] = "departed"
        if person.end_date is None:
            changes["end_date"] = today(ctx.clock)
        if not changes:
            return ActionResult.unchanged(f"{person.email} is already departed")
        update_person_record(session, ctx.clock, ctx.actor, person, changes)
        return ActionResult.changed(f"{person.email} marked departed")


def prepare_end_grants(session: Connection, ctxs: Sequence[ActionContext]) -> list[int]:
    """Nothing to read ahead: each item's grant id, for ``end_grants``."""
    return [ctx.params_as(GrantParams).grant_id for ctx in ctxs]


def end_grants(
    session: Connection, pairs: Sequence[tuple[ActionContext, int]]
) -> list[ActionResult]:
    """Stamp the grants revoked with the reason and the run id (set-based, one transaction)."""
    first = pairs[0][0]
    ids = [grant_id for _, grant_id in pairs]
    existing = existing_grant_ids(session, ids)
    reasons = [ctx.render(str(ctx.step.args.get("reason") or "offboarding")) for ctx, _ in pairs]
    ended: set[int] = set()
    for reason in dict.fromkeys(reasons):
        batch = [i for i, r in zip(ids, reasons, strict=True) if r == reason]
        ended |= set(
            end_grant_ids(
                session, first.clock, first.actor, batch, reason=reason, run_id=first.run_id
            )
        )
    results = []
    for (ctx, grant_id), reason in zip(pairs, reasons, strict=True):
        params = ctx.params_as(GrantParams)
        if grant_id not in existing:
            results.append(ActionResult.failed(f"grant {grant_id} no longer exists"))
        elif grant_id in ended:
            results.append(
                ActionResult.changed(f"ended {params.role} on {params.account}", reason=reason)
            )
        else:
            results.append(ActionResult.unchanged(f"grant on {params.account} already ended"))
    return results


def transfer_ownership(ctx: ActionContext) -> ActionResult:
    """The planned inheritor becomes the account's owner in the inventory."""
    params = ctx.params_as(HandoverParams)
    with ctx.begin() as session:
        account = get_account(session, params.account_id)
        subject = _subject(ctx, session)
        if account is None:
            return ActionResult.failed(f"account {params.account} no longer exists")
        if account.owner_id != subject.id:
            owner = owner_emails(session, [account]).get(account.id)
            return ActionResult.unchanged(f"{account.name} is owned by {owner or 'nobody'}")
        if not params.inheritor:
            return ActionResult.unchanged(
                f"{account.name}: no one to inherit it (--force); owner kept"
            )
        heir = get_person_record(session, params.inheritor)
        set_owner(session, ctx.clock, ctx.actor, account, heir, run_id=ctx.run_id)
        return ActionResult.changed(f"{heir.email} now owns {account.name}", owner=heir.email)
