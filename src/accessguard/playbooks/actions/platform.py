"""Remove a platform role or suite seat through the account's connector, or as a manual step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accessguard.audit.chain import record
from accessguard.errors import AccessGuardError
from accessguard.playbooks.context import ActionContext
from accessguard.playbooks.sources import GrantParams
from accessguard.results import ActionResult, Outcome

if TYPE_CHECKING:
    from accessguard.app import App
    from accessguard.inventory.models import Account


def manual_revoke_instructions(account: Account, email: str, role: str, via: str) -> str:
    """Exact instructions for removing access by hand on a platform without an API."""
    what = "seat" if via == "suite-seat" else f"{role} role"
    return (
        f"Sign in to {account.platform} as an admin of {account.display_name or account.handle!r} "
        f"(accessguard account {account.name}), remove the {what} of {email}, and check they no "
        "longer appear among the people with access. Confirm with a note or a screenshot hash "
        "as evidence."
    )


def revoke_access(ctx: ActionContext) -> ActionResult:
    """Revoke one grant on the platform; already gone is unchanged."""
    params = ctx.params_as(GrantParams)
    if params.via == "shared-login":
        return ActionResult.unchanged(
            f"{params.account}: shared login, closed by revoking Vault access and rotating it"
        )
    from accessguard.inventory.lookup import get_person
    from accessguard.inventory.models import Account

    # The connectors still take the ORM account (the ORM goes at integration).
    with ctx.app.transaction() as session:
        account = session.get(Account, params.account_id)
        person = get_person(session, ctx.plan.email)
        if account is None:
            return ActionResult.failed(f"account {params.account} no longer exists")
    return revoke_on_platform(
        ctx.app,
        account,
        person.email,
        person.name,
        params.role,
        params.via,
        run_id=ctx.run_id,
    )


def revoke_on_platform(
    app: App,
    account: Account,
    email: str,
    name: str | None,
    role: str,
    via: str,
    *,
    run_id: str | None,
    actor: str | None = None,
) -> ActionResult:
    """Call the connector (or make a manual step); audit a change made on the platform."""
    from accessguard.connectors.base import Target
    from accessguard.connectors.registry import build_connector

    try:
        connector = build_connector(app, account)
        if connector is None:
            return ActionResult.waiting(
                f"remove {email} from {account.name} by hand (no connector)",
                manual_revoke_instructions(account, email, role, via),
                account=account.name,
            )
        result = connector.revoke(Target(email=email, name=name, role=role))
    except AccessGuardError as exc:
        return ActionResult.failed(f"{account.name}: {exc.message}", code=exc.code)
    if result.outcome is Outcome.CHANGED:
        with app.transaction() as session:
            record(
                session,
                app.clock,
                actor=actor or app.actor,
                action="platform.revoke",
                target_type="account",
                target=account.name,
                run_id=run_id,
                details={
                    "person": email,
                    "role": role,
                    "via": via,
                    "connector": connector.name,
                    **result.details,
                },
            )
    return result
