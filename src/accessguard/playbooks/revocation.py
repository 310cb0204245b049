"""Revoke arbitrary grants through the offboarding actions (used when a review campaign closes).

Each grant goes through the same path as in a playbook: the platform's connector (or
a manual step when it has none), then the grant is ended in the inventory; for a
shared login the person is also taken out of the account's Vault group.
"""

from __future__ import annotations

from collections.abc import Iterable

from accessguard.app import App
from accessguard.errors import AccessGuardError, ConfigError
from accessguard.inventory.grants import end_grant
from accessguard.inventory.models import Account, Grant, Person
from accessguard.playbooks.actions.platform import revoke_on_platform
from accessguard.results import ActionResult, Outcome


def _sync_vault(app: App, actor: str) -> str:
    """Make Vault groups follow the grants again; returns a note for the result."""
    from accessguard.credentials.identity import sync
    from accessguard.vault.facade import open_vault

    try:
        vault = open_vault(app)
    except ConfigError:
        return "Vault is not configured: run `accessguard vault sync` to remove the Vault access"
    with app.begin() as conn:
        sync(conn, app.clock, vault=vault, actor=actor)
    return "Vault access removed"


def revoke_grant(app: App, grant_id: int, *, reason: str, actor: str) -> ActionResult:
    """Revoke one grant on the platform and in the inventory (idempotent)."""
    with app.transaction() as session:
        grant = session.get(Grant, grant_id)
        if grant is None:
            return ActionResult.failed(f"grant {grant_id} does not exist", grant_id=grant_id)
        person = session.get(Person, grant.person_id)
        account = session.get(Account, grant.account_id)
        if person is None or account is None:
            return ActionResult.failed(f"grant {grant_id} is incomplete", grant_id=grant_id)
        if grant.revoked_at is not None:
            return ActionResult.unchanged(f"grant {grant_id} already ended", grant_id=grant_id)
        via, role = grant.via, grant.role
    platform = ActionResult.unchanged("shared login")
    if via != "shared-login":
        platform = revoke_on_platform(
            app, account, person.email, person.name, role, via, run_id=None, actor=actor
        )
        if platform.outcome is Outcome.FAILED:
            return platform
    with app.transaction() as session:
        grant = session.get(Grant, grant_id)
        ended = grant is not None and end_grant(session, app.clock, actor, grant, reason=reason)
    note = ""
    if via == "shared-login":
        try:
            note = _sync_vault(app, actor)
        except AccessGuardError as exc:
            return ActionResult.failed(
                f"grant ended but Vault access was not removed: {exc.message}"
            )
        note += f"; rotate the shared login (`accessguard creds rotate {account.name}`)"
    what = f"{person.email} on {account.name} ({role} via {via})"
    if platform.outcome is Outcome.WAITING:
        return ActionResult.waiting(
            f"{what}: grant ended, platform removal is manual",
            platform.instructions or platform.message,
            grant_id=grant_id,
        )
    if not ended and platform.outcome is Outcome.UNCHANGED:
        return ActionResult.unchanged(f"{what}: already revoked", grant_id=grant_id)
    return ActionResult.changed(f"{what}: revoked{'; ' + note if note else ''}", grant_id=grant_id)


def revoke_grants(
    app: App, grant_ids: Iterable[int], *, reason: str, actor: str
) -> list[ActionResult]:
    """Revoke each grant through the offboarding actions; one result per grant, in order."""
    return [revoke_grant(app, grant_id, reason=reason, actor=actor) for grant_id in grant_ids]
