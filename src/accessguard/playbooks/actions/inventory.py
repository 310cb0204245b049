"""Inventory actions: mark the subject leaving or departed, end grants, transfer ownership.

All of them read and write Core records in the action's own transaction (``ctx.begin``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from accessguard.clock import today
from accessguard.inventory.accounts import owner_emails, set_owner
from accessguard.inventory.admin import get_account
from accessguard.inventory.grants import mark_revoke_pending, revoke_pending_count
from accessguard.inventory.person_writes import update_person_record
from accessguard.inventory.records import (
    PersonRecord,
    end_grant_ids,
    existing_grant_ids,
    get_person_record,
)
from accessguard.playbooks.context import ActionContext
from accessguard.playbooks.run_records import ItemRecord
from accessguard.playbooks.sources import GrantParams, HandoverParams
from accessguard.playbooks.state import run_items
from accessguard.playbooks.status import ItemStatus
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
    """Status departed (end date today unless one is set); says how many grants are revoke-pending.

    Departed is the HR fact; a grant whose platform removal is unconfirmed stays held
    (revoke-pending), so the inventory never claims the access is gone.
    """
    with ctx.begin() as session:
        person = _subject(ctx, session)
        changes: dict[str, object] = {}
        if person.status != "departed":
            changes["status"] = "departed"
        if person.end_date is None:
            changes["end_date"] = today(ctx.clock)
        pending = revoke_pending_count(session, person.id)
        # Departed is the HR fact; grants whose removal is unconfirmed stay held and say so.
        held = f"; {pending} grant(s) still revoke-pending" if pending else ""
        if not changes:
            return ActionResult.unchanged(f"{person.email} is already departed{held}")
        update_person_record(session, ctx.clock, ctx.actor, person, changes)
        return ActionResult.changed(f"{person.email} marked departed{held}", revoke_pending=pending)


def prepare_end_grants(session: Connection, ctxs: Sequence[ActionContext]) -> list[int]:
    """Nothing to read ahead: each item's grant id, for ``end_grants``."""
    return [ctx.params_as(GrantParams).grant_id for ctx in ctxs]


#: Statuses of a platform-removal item that confirm the access is gone.
REMOVED = frozenset({ItemStatus.CHANGED, ItemStatus.UNCHANGED, ItemStatus.DONE})


def _removals(session: Connection, ctx: ActionContext) -> dict[str, ItemRecord]:
    """This run's platform-removal items before this step (``revoke-access``), by item id.

    A grant's removal item and its end-grants item share the grant's stable item id.
    """
    found: dict[str, ItemRecord] = {}
    for step in ctx.plan.steps:
        if step.id == ctx.step.id:
            break
        if step.action == "revoke-access" and not step.skipped:
            found.update((i.item_id, i) for i in run_items(session, ctx.run_id, step.id))
    return found


def _pending_reason(removal: ItemRecord, account: str) -> str:
    """Why a grant stays revoke-pending: its removal item's state, and what to do."""
    message = str((removal.result or {}).get("message") or "")
    where = f"{removal.run_id} {removal.step_id} --item {removal.item_id}"
    if removal.status == ItemStatus.WAITING:
        return (
            f"manual removal on {account} not confirmed yet ({message}); confirming it with "
            f"`accessguard runs confirm {where}` ends the grant"
        )
    if removal.status == ItemStatus.FAILED:
        return (
            f"removal on {account} failed ({message}); fix the cause, then "
            f"`accessguard runs resume {removal.run_id}`"
        )
    return f"removal on {account} has not run yet; `accessguard runs resume {removal.run_id}`"


def end_grants(
    session: Connection, pairs: Sequence[tuple[ActionContext, int]]
) -> list[ActionResult]:
    """End the grants whose removal is confirmed; hold the others revoke-pending.

    A grant whose platform removal in this run failed, waits for a person or has not run
    stays active, marked revoke-pending with the reason and the run (its item is held,
    so the run never completes and a resume tries again). The others are stamped
    revoked with the reason and the run id, set-based in one transaction; those whose
    removal was confirmed by this run also get the confirmation time.
    """
    first = pairs[0][0]
    ids = [grant_id for _, grant_id in pairs]
    existing = existing_grant_ids(session, ids)
    removals = _removals(session, first)
    held: dict[int, str] = {}
    for ctx, grant_id in pairs:
        removal = removals.get(ctx.item.id)
        if removal is not None and removal.status not in REMOVED:
            held[grant_id] = _pending_reason(removal, ctx.params_as(GrantParams).account)
    mark_revoke_pending(session, first.clock, first.actor, held, run_id=first.run_id)
    reasons = [ctx.render(str(ctx.step.args.get("reason") or "offboarding")) for ctx, _ in pairs]
    ended: set[int] = set()
    confirmed = {grant_id: ctx.item.id in removals for ctx, grant_id in pairs}
    for reason, removed in dict.fromkeys(
        (r, confirmed[i]) for i, r in zip(ids, reasons, strict=True) if i not in held
    ):
        batch = [
            i
            for i, r in zip(ids, reasons, strict=True)
            if i not in held and r == reason and confirmed[i] == removed
        ]
        ended |= set(
            end_grant_ids(
                session,
                first.clock,
                first.actor,
                batch,
                reason=reason,
                run_id=first.run_id,
                removal_confirmed=removed,
            )
        )
    results = []
    for (ctx, grant_id), reason in zip(pairs, reasons, strict=True):
        params = ctx.params_as(GrantParams)
        if grant_id not in existing:
            results.append(ActionResult.failed(f"grant {grant_id} no longer exists"))
        elif grant_id in held:
            results.append(
                ActionResult.held(
                    f"{params.role} on {params.account} held revoke-pending: {held[grant_id]}",
                    reason=held[grant_id],
                )
            )
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
