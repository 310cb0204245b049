"""The handover check: an account keeps an admin before anything is taken away from it.

The item of an account passes when another active person (not leaving, not departed,
not the subject of another offboarding in flight) still administers it in the
inventory, or its owner is such a person, or the successor shows as an admin on the
platform itself (read back through the account's connector when it can list holders).
Otherwise it is held: the engine holds every removal on that account
(``guards.held_items``), ``runs resume`` checks the platform again, and ``runs confirm``
accepts a person's evidence where the platform cannot be read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.errors import AccessGuardError
from accessguard.inventory.admin import admins_of, get_account
from accessguard.inventory.records import find_person_record, get_person_record
from accessguard.inventory.vocab import is_admin_role
from accessguard.playbooks.context import ActionContext
from accessguard.playbooks.guards import departing
from accessguard.playbooks.sources import HandoverParams
from accessguard.results import ActionResult


def handover_check(ctx: ActionContext) -> ActionResult:
    """Unchanged when the account keeps a confirmed admin; held until the successor is one."""
    params = ctx.params_as(HandoverParams)
    with ctx.begin() as session:
        account = get_account(session, params.account_id)
        subject = get_person_record(session, ctx.plan.email)
        if account is None:
            return ActionResult.failed(f"account {params.account} no longer exists")
        others = departing(session, exclude_subject=subject.email, exclude_run=ctx.run_id)
        admins = admins_of(session, account.id, subject.id, going=set(others))
        inheritor = find_person_record(session, params.inheritor) if params.inheritor else None
        row = session.execute(select(_ACCOUNTS).where(_ACCOUNTS.c.id == account.id)).first()
    if inheritor is not None and inheritor.status == "departed":
        return ActionResult.failed(
            f"{inheritor.email} was to inherit {account.name} but has departed; plan again with --successor"
        )
    if admins:
        who = f"; {inheritor.email} inherits ownership" if inheritor else ""
        return ActionResult.unchanged(f"{account.name} keeps admins: {', '.join(admins)}{who}")
    owner_keeps = (
        inheritor is not None
        and not params.owned
        and account.owner_id == inheritor.id
        and inheritor.status == "active"
    )
    if owner_keeps and inheritor is not None:
        return ActionResult.unchanged(f"{account.name} keeps its owner {inheritor.email}")
    where = f"{account.platform} account {account.handle!r} ({account.name})"
    if inheritor is None:
        if ctx.plan.force:
            return ActionResult.waiting(
                f"{account.name} has no admin left",
                f"{where} was left without an admin (--force). Appoint an admin on the "
                "platform and record the grant in accessguard.",
                account=account.name,
            )
        return ActionResult.held(
            f"held: {account.name} would have no admin left",
            f"Appoint another admin on {where} and record the grant, then `accessguard runs "
            f"resume {ctx.run_id}`.",
            account=account.name,
        )
    seen, why = _admin_on_platform(ctx, row, inheritor.email)
    if seen:
        return ActionResult.changed(
            f"{inheritor.email} shows as admin on {account.platform} ({account.name})",
            account=account.name,
            inheritor=inheritor.email,
            confirmed_by="platform",
        )
    return ActionResult.held(
        f"held: make {inheritor.email} an admin of {account.name} ({why})",
        f"On {where}, make {inheritor.email} an admin BEFORE {subject.email}'s access is "
        f"removed. Nothing is removed from {account.name} until then. Then `accessguard runs "
        f"resume {ctx.run_id}` (it reads the platform again), or where the platform cannot "
        f"be read, `accessguard runs confirm {ctx.run_id} {ctx.step.id} --item {ctx.item.id} "
        "--evidence ...`; and record the grant: "
        f"`accessguard grant {inheritor.email} {account.name} --role admin --via platform-role`.",
        account=account.name,
        inheritor=inheritor.email,
    )


def _admin_on_platform(ctx: ActionContext, account: Any, email: str) -> tuple[bool, str]:
    """Whether the platform lists ``email`` as an active admin; else why not (for the message)."""
    from accessguard.connectors.registry import build_connector

    try:
        connector = build_connector(ctx.app, account)
        if connector is None or not connector.can_list:
            return False, "the platform cannot be read: confirm by hand"
        holders = connector.list_holders()
    except AccessGuardError as exc:
        return False, f"could not read the platform: {exc.message}"
    for holder in holders:
        if (holder.email or "").lower() == email.lower() and holder.active:
            if holder.role and is_admin_role(holder.role):
                return True, ""
            return False, f"the platform lists them as {holder.role or 'a member'}, not admin"
    return False, "the platform does not list them yet"
