"""Remove a platform role or suite seat through the account's connector.

Accounts on platforms without an access API (X, YouTube, Sprout Social; LinkedIn's
revoke) go through the manual connector (``connectors/manual.py``): the item waits with
that platform's own checklist until someone confirms it with `runs confirm`.

A connector that reads the platform back after a removal reports it in
``details["confirmed"]``; a removal the platform still shows fails the item (never
``changed``), so a run cannot report a removal that did not take. A connector error
fails the item with its message and keeps its hint (``details["hint"]``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.errors import AccessGuardError
from accessguard.inventory.records import get_person_record
from accessguard.playbooks.context import ActionContext
from accessguard.playbooks.sources import GrantParams
from accessguard.results import ActionResult, Outcome
from accessguard.secret import redact

if TYPE_CHECKING:
    from accessguard.app import App


def revoke_access(ctx: ActionContext) -> ActionResult:
    """Revoke one grant on the platform; already gone is unchanged.

    The grant's holder is the item's ``person`` (a review close revokes many people's
    grants), else the plan's subject.
    """
    params = ctx.params_as(GrantParams)
    if params.via == "shared-login":
        return ActionResult.unchanged(
            f"{params.account}: shared login, closed by revoking Vault access and rotating it"
        )
    with ctx.begin() as conn:
        account = conn.execute(select(_ACCOUNTS).where(_ACCOUNTS.c.id == params.account_id)).first()
        person = get_person_record(conn, params.person or ctx.plan.email)
        if account is None:
            return ActionResult.failed(f"account {params.account} no longer exists")
    return _revoke_on_platform(
        ctx.app,
        account,
        person.email,
        person.name,
        params.role,
        params.via,
        run_id=ctx.run_id,
    )


def _revoke_on_platform(
    app: App,
    account: Any,
    email: str,
    name: str | None,
    role: str,
    via: str,
    *,
    run_id: str | None,
) -> ActionResult:
    """Call the connector (the manual one when there is no API); audit a change on the platform.

    ``account`` is the account's row (name, platform, handle, connector, settings).
    """
    from accessguard.connectors.base import AccountRef, Target
    from accessguard.connectors.manual import ManualConnector
    from accessguard.connectors.registry import build_connector

    try:
        connector = build_connector(app, account)
        if connector is None:
            ref = AccountRef(account.name, account.platform, account.handle)
            connector = ManualConnector(settings={}, secrets={}, http=None, account=ref)
        result = connector.revoke(Target(email=email, name=name, role=role))
    except AccessGuardError as exc:
        hint = {"hint": redact(exc.hint)} if exc.hint else {}
        return ActionResult.failed(f"{account.name}: {exc.message}", code=exc.code, **hint)
    if result.outcome is Outcome.CHANGED:
        with app.begin() as conn:
            record(
                conn,
                app.clock,
                actor=app.actor,
                action=AuditAction.PLATFORM_REVOKE,
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
    return _unconfirmed(account.name, result, run_id=run_id) or result


def _unconfirmed(account: str, result: ActionResult, *, run_id: str | None) -> ActionResult | None:
    """The failed result of a removal the platform's read-back still shows, else None.

    The platform was called (and the call audited): what was sent stays in the details,
    and the grant stays revoke-pending until a resume reads the removal back.
    """
    if result.outcome is not Outcome.CHANGED or result.details.get("confirmed") is not False:
        return None
    return ActionResult.failed(
        f"{account}: removal not confirmed by read-back ({result.message})",
        **{**result.details, "code": "removal-not-confirmed"},
        hint="the platform still lists the access: remove it there if it stays, then "
        f"`accessguard runs resume {run_id or 'RUN'}` reads it back again",
    )
