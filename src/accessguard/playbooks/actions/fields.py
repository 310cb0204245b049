"""Renew the fields of a shared login the subject saw that the tool cannot rotate itself.

Backup codes and recovery details are made on the platform, so each is a manual step:
the item names what to do there and the command that stores the new value in Vault
(``creds set ACCOUNT --field F``, from stdin). It is done only when Vault holds a value
different from the version the subject saw: running, resuming (``Action.settled``) or
confirming the item compares the two versions in Vault; an unchanged value keeps it
waiting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accessguard.errors import AccessGuardError
from accessguard.playbooks.context import ActionContext
from accessguard.playbooks.sources import FieldParams
from accessguard.results import ActionResult

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from accessguard.inventory.records import AccountRecord
    from accessguard.vault.facade import Vault

#: Where a platform keeps its backup codes (a hint; platforms move their menus).
BACKUP_CODES_WHERE = {
    "x": "Settings and privacy > Security and account access > Security > Two-factor "
    "authentication > Backup codes",
    "twitter": "Settings and privacy > Security and account access > Security > Two-factor "
    "authentication > Backup codes",
    "facebook": "Accounts Center > Password and security > Two-factor authentication > "
    "Additional methods > Recovery codes",
    "instagram": "Accounts Center > Password and security > Two-factor authentication > "
    "Additional methods > Backup codes",
    "youtube": "myaccount.google.com > Security > 2-Step Verification > Backup codes",
    "google": "myaccount.google.com > Security > 2-Step Verification > Backup codes",
    "linkedin": "Settings > Sign in & security > Two-step verification",
    "tiktok": "Settings and privacy > Security > 2-step verification > Backup codes",
}


def _check(
    conn: Connection, ctx: ActionContext, vault: Vault, params: FieldParams
) -> tuple[ActionResult | None, AccountRecord, int]:
    """A final result when Vault holds a new value (or the field was never there), else None."""
    from accessguard.credentials.fields import LABELS, field_differs, mark_renewed
    from accessguard.credentials.records import account_by_id, get_credential

    account = account_by_id(conn, params.account_id)
    if account is None:
        raise AccessGuardError(f"account {params.account} no longer exists", code="not-found")
    credential = get_credential(conn, account)
    label, current = LABELS.get(params.field, params.field), credential.current_version
    differs = field_differs(
        vault, credential.vault_path, params.field, exposed=params.version, current=current
    )
    if differs is None:
        return (
            ActionResult.unchanged(
                f"{account.name}: version {params.version} held no {label}, nothing to renew",
                account=account.name,
                field=params.field,
            ),
            account,
            current,
        )
    if not differs:
        return None, account, current
    mark_renewed(conn, ctx.clock, credential_id=credential.id, field=params.field, version=current)
    return (
        ActionResult.changed(
            f"{account.name}: new {label} in Vault (version {current})",
            account=account.name,
            field=params.field,
            version=current,
        ),
        account,
        current,
    )


def renew_field(ctx: ActionContext) -> ActionResult:
    """Done if Vault already holds a new value; otherwise wait for the person who renews it."""
    from accessguard.credentials.fields import LABELS, RENEW_HOW

    params = ctx.params_as(FieldParams)
    vault = ctx.vault()
    with ctx.begin() as conn:
        done, account, current = _check(conn, ctx, vault, params)
    if done is not None:
        return done
    name, field = account.name, params.field
    label = LABELS.get(field, field)
    where = BACKUP_CODES_WHERE.get(account.platform) if field == "backup_codes" else None
    return ActionResult.waiting(
        f"{name}: renew the {label} on {account.platform} (seen in version {params.version})",
        f"Sign in to {account.platform} as {account.handle!r} and {RENEW_HOW.get(field, 'renew it')}"
        + (f" ({where})" if where else "")
        + f". Store the new {label} in Vault, the value on stdin (never as an argument): "
        f"`accessguard creds set {name} --field {field} --reason 'offboarding {ctx.plan.email}' "
        f"< new-{field}.txt` (confirm a pending password rotation of {name} first). Then "
        f"confirm this item: `accessguard runs confirm {ctx.run_id} {ctx.step.id} --item "
        f"{ctx.item.id} --evidence ...`; it completes only once Vault holds a new value.",
        account=name,
        field=field,
        version=current,
    )


def field_settled(ctx: ActionContext) -> ActionResult | None:
    """On resume: the item's outcome once Vault holds a new value, else None (it keeps waiting)."""
    params = ctx.params_as(FieldParams)
    try:
        vault = ctx.vault()
        with ctx.begin() as conn:
            done, _, _ = _check(conn, ctx, vault, params)
    except AccessGuardError:
        return None  # it keeps waiting; confirming it reports the error
    return done


def confirm_field(ctx: ActionContext, evidence: str) -> ActionResult:
    """Confirming completes the item only when Vault holds a new value; else it stays waiting."""
    from accessguard.credentials.fields import LABELS

    params = ctx.params_as(FieldParams)
    vault = ctx.vault()
    with ctx.begin() as conn:
        done, account, current = _check(conn, ctx, vault, params)
    if done is not None:
        return done
    label = LABELS.get(params.field, params.field)
    return ActionResult.failed(
        f"Vault still holds the {label} of {account.name} that was seen in version "
        f"{params.version} (current version {current}): store the new ones with `accessguard "
        f"creds set {account.name} --field {params.field}` first",
        code="field-not-renewed",
    )
