"""Revoke the app passwords of a shared login once its new password is in force (Bluesky).

An app password survives a change of the account password, so rotating a shared
Bluesky login is not enough: a leaver who made one keeps posting. This action signs in
with the password in force (the NEW one: the old one no longer works once the change is
confirmed), revokes every app password and reads the list back (``connectors/bluesky.py``).

It runs in the offboarding after ``rotate-credential`` (items ``credential-ID``) and in
`creds confirm`'s run (item ``account-ID``). Until the rotation is confirmed the item is
``held``: confirming the rotation item (`runs confirm`) runs it at once (``held.py``),
and so does a resume. An account whose connector cannot do it (no ``handle`` setting, or
email 2FA on) waits with the manual checklist instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.errors import AccessGuardError
from accessguard.playbooks.context import ActionContext
from accessguard.playbooks.sources import AccountParams, CredentialParams
from accessguard.results import ActionResult, Outcome

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from accessguard.credentials.records import CredentialRecord
    from accessguard.inventory.records import AccountRecord
    from accessguard.secret import Secret

#: The platforms whose shared logins have app passwords this action revokes.
PLATFORMS = ("bluesky",)


def _account_id(ctx: ActionContext) -> int:
    params = ctx.params
    if isinstance(params, AccountParams):
        return params.account_id
    return ctx.params_as(CredentialParams).account_id


def _still_exposed(conn: Connection, ctx: ActionContext, credential: CredentialRecord) -> bool:
    """Whether the run's subject (a person) could know the password in force now."""
    from accessguard.credentials.exposure import exposed_credentials

    subject = ctx.plan.subject
    if subject.get("kind") == "account" or subject.get("id") is None:
        return False
    exposed = exposed_credentials(conn, int(subject["id"]))
    return any(e.credential_id == credential.id for e in exposed)


def _confirm_command(ctx: ActionContext, account: AccountRecord) -> str:
    """How to confirm the rotation this item waits for: the run's own rotation item, if any."""
    for step in ctx.plan.steps:
        if step.action == "rotate-credential" and any(i.id == ctx.item.id for i in step.items):
            return (
                f"accessguard runs confirm {ctx.run_id} {step.id} --item {ctx.item.id} "
                "--evidence 'changed on the platform'"
            )
    return f"accessguard creds confirm {account.name}"


def _held(ctx: ActionContext, account: AccountRecord, *, why: str) -> ActionResult:
    return ActionResult.held(
        f"held: {account.name}: {why}",
        "App passwords are revoked with the new password once it is in force on "
        f"{account.platform}: change it there, confirm the rotation "
        f"(`{_confirm_command(ctx, account)}`), and this item runs (or `accessguard runs "
        f"resume {ctx.run_id}`).",
        account=account.name,
    )


def _manual(ctx: ActionContext, account: AccountRecord, *, why: str) -> ActionResult:
    from accessguard.connectors.bluesky import manual_steps

    return ActionResult.waiting(
        f"{account.name}: revoke its app passwords by hand ({why})",
        f"{manual_steps(handle=account.handle, account=account.name)}\n"
        f"Confirm: `accessguard runs confirm {ctx.run_id} {ctx.step.id} --item {ctx.item.id} "
        "--evidence 'no app password left'`.",
        account=account.name,
        manual=True,
    )


def _password(ctx: ActionContext, credential: CredentialRecord) -> Secret | None:
    """The password in force, read from Vault custody for the platform call only (no
    exposure: no person sees it; the audit event of the revocation names the version)."""
    values = ctx.vault().kv.read(credential.vault_path, credential.current_version).public_values()
    return values.get("password")


def revoke_app_passwords(ctx: ActionContext) -> ActionResult:
    """Revoke every app password of the account's shared login, signed in with the password
    in force; ``held`` while the rotation is pending or the subject could know it."""
    from accessguard.connectors.bluesky import BlueskyConnector, EmailCodeRequired
    from accessguard.connectors.registry import build_connector
    from accessguard.credentials.records import account_by_id, find_credential

    with ctx.begin() as conn:
        account = account_by_id(conn, _account_id(ctx))
        if account is None:
            return ActionResult.failed("the account no longer exists", code="not-found")
        credential = find_credential(conn, account.id)
        if credential is None:
            return ActionResult.failed(
                f"{account.name} has no shared login in Vault (store it with "
                f"`accessguard creds set {account.name}`)",
                code="not-found",
            )
        if credential.pending:
            return _held(ctx, account, why="its rotation is not confirmed yet")
        if _still_exposed(conn, ctx, credential):
            who = ctx.plan.email
            return _held(ctx, account, why=f"{who} could know the password in force")
    try:
        password = _password(ctx, credential)
        if password is None:
            return ActionResult.failed(
                f"{account.name} version {credential.current_version} has no password",
                code="no-password",
            )
        connector = build_connector(ctx.app, account, secrets={"password": password})
        if not isinstance(connector, BlueskyConnector):
            return _manual(ctx, account, why="no Bluesky connector with a handle setting")
        result = connector.revoke_app_passwords()
    except EmailCodeRequired:
        return _manual(ctx, account, why="email 2FA is on: signing in needs an emailed code")
    except AccessGuardError as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        return ActionResult.failed(f"{account.name}: {exc.message}{hint}", code=exc.code)
    if result.outcome is Outcome.CHANGED:
        with ctx.begin() as conn:
            record(
                conn,
                ctx.clock,
                actor=ctx.actor,
                action=AuditAction.PLATFORM_REVOKE_APP_PASSWORDS,
                target_type="account",
                target=account.name,
                run_id=ctx.run_id,
                details={"version": credential.current_version, **result.details},
            )
    return ActionResult(
        result.outcome,
        f"{account.name}: {result.message}",
        {**result.details, "account": account.name, "version": credential.current_version},
    )
