"""Credential actions of the built-in plans: a rotation's phase 1, its rollback, adopting an
out-of-band version, Vault groups in step.

``creds rotate`` and ``creds rollback`` run these through the engine (one run per
command, one item for the account); closing a review campaign that revokes shared
logins runs ``sync-vault-groups`` once so Vault groups follow the grants again.
"""

from __future__ import annotations

from accessguard.errors import ConfigError
from accessguard.playbooks.context import ActionContext
from accessguard.playbooks.sources import AccountParams
from accessguard.results import ActionResult


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
        return rotate(
            conn,
            ctx.clock,
            vault=vault,
            account=get_account_record(conn, ctx.params_as(AccountParams).account),
            actor=ctx.actor,
            reason=_reason(ctx, "scheduled rotation"),
            run_id=ctx.run_id,
            idempotency_key=key,
        )


def rollback_rotation(ctx: ActionContext) -> ActionResult:
    """Undo a pending rotation: the previous value comes back as a new version."""
    from accessguard.credentials.rotation_outcome import rollback
    from accessguard.inventory.records import get_account_record

    vault = ctx.vault()
    with ctx.begin() as conn:
        return rollback(
            conn,
            ctx.clock,
            vault=vault,
            account=get_account_record(conn, ctx.params_as(AccountParams).account),
            actor=ctx.actor,
            reason=ctx.step.args.get("reason") or None,
            run_id=ctx.run_id,
        )


def adopt_version(ctx: ActionContext) -> ActionResult:
    """Record the Vault version written outside accessguard that the operator reviewed."""
    from accessguard.credentials.adopt import adopt
    from accessguard.inventory.records import get_account_record

    vault = ctx.vault()
    with ctx.begin() as conn:
        return adopt(
            conn,
            ctx.clock,
            vault=vault,
            account=get_account_record(conn, ctx.params_as(AccountParams).account),
            version=int(ctx.step.args["version"]),
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
    with ctx.begin() as conn:
        plan = sync(conn, ctx.clock, vault=vault, actor=ctx.actor)
    removed = [f"{person} from {account}" for person, account in plan.remove]
    if not removed:
        return ActionResult.unchanged("Vault groups already follow the grants")
    return ActionResult.changed(f"removed {', '.join(removed)} in Vault", removed=len(removed))
