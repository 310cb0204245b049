"""Credential actions of the built-in plans: a rotation's phase 1, its rollback, Vault groups in step.

``creds rotate`` and ``creds rollback`` run these through the engine (one run per
command, one item for the account); closing a review campaign that revokes shared
logins runs ``sync-vault-groups`` once so Vault groups follow the grants again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accessguard.errors import ConfigError
from accessguard.playbooks.context import ActionContext
from accessguard.results import ActionResult

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from accessguard.inventory.models import Account


def _reason(ctx: ActionContext, default: str) -> str:
    return str(ctx.step.args.get("reason") or default)


def start_rotation(ctx: ActionContext) -> ActionResult:
    """Phase 1: a new strong password as a pending Vault version; ``creds confirm`` is phase 2.

    The item's idempotency key (or the one the operator gave) is written with the
    version, so a resumed or repeated rotation never makes a second one.
    """
    from accessguard.credentials.rotation import rotate
    from accessguard.inventory.records import get_account_record

    vault = ctx.vault()
    key = str(ctx.step.args.get("idempotency_key") or ctx.idempotency_key)
    with ctx.begin() as conn:
        account = get_account_record(conn, str(ctx.params["account"]))
        return rotate(
            conn,
            ctx.clock,
            vault,
            account,  # type: ignore[arg-type]  # rotation reads only id and name
            actor=ctx.actor,
            reason=_reason(ctx, "scheduled rotation"),
            run_id=ctx.run_id,
            idempotency_key=key,
        )


def _orm_account(session: Session, ctx: ActionContext) -> Account:
    from accessguard.inventory.lookup import get_account

    return get_account(session, str(ctx.params["account"]))


def rollback_rotation(ctx: ActionContext) -> ActionResult:
    """Undo a pending rotation: the previous value comes back as a new version."""
    from accessguard.credentials.settle import rollback

    vault = ctx.vault()
    with ctx.transaction() as session:
        return rollback(
            session,
            ctx.clock,
            vault,
            _orm_account(session, ctx),
            actor=ctx.actor,
            reason=ctx.step.args.get("reason") or None,
            run_id=ctx.run_id,
        )


def sync_vault_groups(ctx: ActionContext) -> ActionResult:
    """Vault groups hold exactly the people whose shared-login grants are active (after revokes)."""
    from accessguard.credentials.identity import sync

    try:
        vault = ctx.vault()
    except ConfigError:
        return ActionResult.waiting(
            "Vault is not configured: its groups still list the revoked people",
            "Configure Vault, then run `accessguard vault sync` to remove the revoked people "
            "from the account groups; confirm this item with the output as evidence.",
        )
    with ctx.transaction() as session:
        plan = sync(session, ctx.clock, vault, actor=ctx.actor)
    removed = [f"{person} from {account}" for person, account in plan.remove]
    if not removed:
        return ActionResult.unchanged("Vault groups already follow the grants")
    return ActionResult.changed(f"removed {', '.join(removed)} in Vault", removed=len(removed))
