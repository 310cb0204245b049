"""Vault actions: revoke the subject's own Vault access, rotate shared logins, re-enrol 2FA seeds.

Each reads and writes Core records in the action's own transaction (``ctx.begin``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from accessguard.errors import AccessGuardError
from accessguard.inventory.records import get_person_record
from accessguard.playbooks.batch import failure
from accessguard.playbooks.context import ActionContext
from accessguard.playbooks.sources import CredentialParams, SeedParams
from accessguard.results import ActionResult, Outcome

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from accessguard.credentials.compose import Covering
    from accessguard.credentials.rotation import Written
    from accessguard.credentials.targets import RotationTarget
    from accessguard.inventory.records import AccountRecord


def revoke_vault_access(ctx: ActionContext) -> ActionResult:
    """Groups, entity, auth user and tokens of the subject (credentials layer)."""
    from accessguard.credentials.vault_access import revoke_person_access

    vault = ctx.vault()
    with ctx.begin() as session:
        person = get_person_record(session, ctx.plan.email)
        return revoke_person_access(
            session, ctx.clock, vault=vault, person=person, actor=ctx.actor, run_id=ctx.run_id
        )


def _account(conn: Connection, params: CredentialParams | SeedParams) -> AccountRecord:
    """The item's account; an error the item fails with if it no longer exists."""
    from accessguard.credentials.records import account_by_id

    account = account_by_id(conn, params.account_id)
    if account is None:
        raise AccessGuardError(f"account {params.account} no longer exists", code="not-found")
    return account


def _rotation_reason(ctx: ActionContext) -> str:
    return f"offboarding {ctx.plan.email}"


def prepare_rotations(
    session: Connection, ctxs: Sequence[ActionContext]
) -> list[RotationTarget | ActionResult]:
    """Every item's rotation target, read set-based; an item already rotated is final, and
    so is one whose credential another rotation has pending (it joins that rotation)."""
    from accessguard.credentials import targets as reads
    from accessguard.credentials.compose import pending_coverings, seen_pending

    params = [ctx.params_as(CredentialParams) for ctx in ctxs]
    targets = reads.load_targets(session, [p.account_id for p in params])
    found = [t for t in targets.values() if isinstance(t, reads.RotationTarget)]
    done = reads.rotated_with(
        session, [t.credential_id for t in found], keys=[ctx.idempotency_key for ctx in ctxs]
    )
    coverings = pending_coverings(
        session, [(t.credential_id, t.current_version, t.account_name) for t in found if t.pending]
    )
    subject = ctxs[0].plan.subject
    seen = (
        seen_pending(session, int(subject["id"]), {c: v.version for c, v in coverings.items()})
        if coverings and subject.get("id") is not None and subject.get("kind") != "account"
        else set()
    )
    prepared: list[RotationTarget | ActionResult] = []
    for ctx, item in zip(ctxs, params, strict=True):
        target = targets.get(item.account_id)
        if target is None:
            prepared.append(
                ActionResult.failed(f"account {item.account} no longer exists", code="not-found")
            )
        elif isinstance(target, AccessGuardError):
            prepared.append(failure(target))
        elif ctx.idempotency_key in done:
            version = done[ctx.idempotency_key]
            prepared.append(_platform_step(ctx, target, {"version": version}))
        elif target.credential_id in seen:
            prepared.append(_seen_pending(ctx, target, coverings[target.credential_id]))
        elif target.credential_id in coverings:
            prepared.append(_joined(ctx, target, coverings[target.credential_id]))
        else:
            prepared.append(target)
    return prepared


def rotate_credential(ctx: ActionContext, target: RotationTarget) -> Written | ActionResult:
    """Phase 1 in Vault for one item: a new pending version (once per item), no database.

    Losing the check-and-set to another rotation joins it (the item waits for it).
    """
    from accessguard.credentials import rotation
    from accessguard.credentials.compose import CoveredError

    try:
        version, recovered = rotation.write_new_version(
            ctx.vault(),
            ctx.clock,
            target=target,
            key=ctx.idempotency_key,
            actor=ctx.actor,
            reason=_rotation_reason(ctx),
            run_id=ctx.run_id,
            fresh=ctx.attempt == 1,
        )
    except CoveredError as exc:
        return _joined(ctx, target, exc.covering)
    return rotation.Written(target, version, ctx.idempotency_key, recovered)


def record_rotations(
    session: Connection, pairs: Sequence[tuple[ActionContext, Written]]
) -> list[ActionResult]:
    """Record the new versions set-based; each item then waits for the platform change."""
    from accessguard.credentials import rotation

    ctx = pairs[0][0]
    outcomes = rotation.record_rotations(
        session,
        ctx.clock,
        written=[written for _, written in pairs],
        actor=ctx.actor,
        reason=_rotation_reason(ctx),
        run_id=ctx.run_id,
    )
    results = []
    for (item_ctx, written), outcome in zip(pairs, outcomes, strict=True):
        if isinstance(outcome, AccessGuardError):
            results.append(failure(outcome))
        elif outcome.outcome in (Outcome.FAILED, Outcome.WAITING):
            results.append(outcome)
        else:
            results.append(_platform_step(item_ctx, written.target, outcome.details))
    return results


def _platform_step(
    ctx: ActionContext, target: RotationTarget, details: dict[str, Any]
) -> ActionResult:
    """The manual half of a rotation: change the password on the platform, then confirm."""
    name, platform, handle = target.account_name, target.platform, target.handle
    return ActionResult.waiting(
        f"{name}: new password in Vault, change it on {platform}",
        f"Reveal the new (pending) password with `accessguard creds reveal {name} --pending --reason '{_rotation_reason(ctx)}'`, sign "
        f"in to {platform} as {handle!r} and change the password to it, then confirm this item: "
        f"`accessguard runs confirm {ctx.run_id} {ctx.step.id} --item {ctx.item.id} --evidence "
        "'changed on the platform'` (this marks the new version active in Vault).",
        account=name,
        **{k: v for k, v in details.items() if k in ("version", "pending_version")},
    )


def _joined(ctx: ActionContext, target: RotationTarget, covering: Covering) -> ActionResult:
    """The item of a credential another rotation has pending: covered by it, it waits for it."""
    name, other = target.account_name, covering.describe()
    return ActionResult.waiting(
        f"{name}: covered by {other} (version {covering.version}, pending), not rotated "
        "again: finish that rotation, then confirm this item",
        f"{name} already has a rotation pending ({other}, version {covering.version}); it "
        "replaces the password this leaver knew, so it is not rotated twice. Reveal its new "
        f"password with `accessguard creds reveal {name} --pending --reason ...`, sign in to "
        f"{target.platform} as {target.handle!r} and change the password to it, then confirm "
        f"that rotation: `{covering.finish_command()}`, and this item: `accessguard runs "
        f"confirm {ctx.run_id} {ctx.step.id} --item {ctx.item.id} --evidence 'changed on the "
        "platform'` (either confirmation marks the version active; the other completes "
        "unchanged).",
        account=name,
        **covering.to_details(),
    )


def _seen_pending(ctx: ActionContext, target: RotationTarget, covering: Covering) -> ActionResult:
    """The subject saw the pending version: it does not cover them; rotate again after it."""
    return ActionResult.failed(
        f"{ctx.plan.email} saw the pending version {covering.version} of {target.account_name} "
        f"({covering.describe()}), so it does not cover them: it is rotated again once that "
        f"rotation is confirmed (`{covering.finish_command()}`), then "
        f"`accessguard runs resume {ctx.run_id}`",
        code="pending-version-seen",
        account=target.account_name,
        **covering.to_details(),
    )


def _stored_details(conn: Connection, ctx: ActionContext) -> dict[str, Any]:
    """The details the item recorded when it last ran (which version it waits for)."""
    from accessguard.playbooks.state import get_item

    result = get_item(conn, ctx.run_id, ctx.step.id, ctx.item.id).result or {}
    return dict(result.get("details") or {})


def confirm_rotation(ctx: ActionContext, evidence: str) -> ActionResult:
    """Phase 2: the platform has the new password; mark the item's Vault version active.

    A joined item shares the rotation that covers it: confirming either item marks that
    version active, and the other then completes unchanged (nothing is rotated again).
    """
    from accessguard.credentials.rotation_outcome import confirm

    vault = ctx.vault()
    with ctx.begin() as conn:
        account = _account(conn, ctx.params_as(CredentialParams))
        details = _stored_details(conn, ctx)
        version = details.get("covered_version", details.get("version"))
        return confirm(
            conn,
            ctx.clock,
            vault=vault,
            account=account,
            actor=ctx.actor,
            run_id=ctx.run_id,
            version=int(version) if version is not None else None,
        )


def rotation_settled(ctx: ActionContext) -> ActionResult | None:
    """On resume: a waiting rotation item whose version was confirmed elsewhere (the run it
    joined, or `creds confirm`) is done, unchanged; otherwise it keeps waiting."""
    from accessguard.credentials.compose import confirmed
    from accessguard.credentials.records import account_by_id

    with ctx.begin() as conn:
        account = account_by_id(conn, ctx.params_as(CredentialParams).account_id)
        details = _stored_details(conn, ctx)
        version = details.get("covered_version", details.get("version"))
        if account is None or version is None:
            return None
        return confirmed(conn, account, version=int(version))


def reenrol_totp(ctx: ActionContext) -> ActionResult:
    """A new 2FA seed in Vault (pending); its QR is shown to the operator once, then manual enrolment."""
    from accessguard.credentials.totp import regenerate

    vault = ctx.vault()
    with ctx.begin() as conn:
        account = _account(conn, ctx.params_as(SeedParams))
        result, uri = regenerate(
            conn,
            ctx.clock,
            vault=vault,
            account=account,
            actor=ctx.actor,
            run_id=ctx.run_id,
            idempotency_key=ctx.idempotency_key,
            shown=False,  # recorded below, once it is known to have been shown
        )
        if result.outcome is Outcome.FAILED:
            return result
        name, platform, handle = account.name, account.platform, account.handle
    shown = bool(
        uri is not None and ctx.show_secret and ctx.show_secret(f"new 2FA seed for {name}", uri)
    )
    if shown:
        from accessguard.credentials.totp import seed_shown

        with ctx.begin() as conn:
            seed_shown(conn, ctx.clock, account=account, actor=ctx.actor, run_id=ctx.run_id)
    how = (
        "Scan the QR code shown when this item ran"
        if shown
        else "The new seed's QR was not shown to anyone (no terminal, or it was issued earlier and "
        f"is never shown twice): an operator shows it once with `accessguard totp show-qr {name}` "
        "on a terminal (step-up; recorded as that operator's exposure; it issues a fresh pending "
        "seed in place of the unseen one)"
    )
    return ActionResult.waiting(
        f"{name}: enrol the new 2FA seed on {platform}",
        f"{how}; sign in to {platform} as {handle!r}, replace the authenticator in its 2FA "
        f"settings with the new seed, then confirm this item (`accessguard runs confirm "
        f"{ctx.run_id} {ctx.step.id} --item {ctx.item.id} --evidence ...`): the new seed "
        "becomes current in Vault and the old one is deleted.",
        account=name,
        qr_shown=shown,
        **({} if shown else {"show_with": f"accessguard totp show-qr {name}"}),
        **{k: v for k, v in result.details.items() if k == "generation"},
    )


def confirm_totp(ctx: ActionContext, evidence: str) -> ActionResult:
    """The platform uses the new seed: make it current in Vault, delete the old one."""
    from accessguard.credentials.totp import confirm

    vault = ctx.vault()
    with ctx.begin() as conn:
        account = _account(conn, ctx.params_as(SeedParams))
        return confirm(
            conn, ctx.clock, vault=vault, account=account, actor=ctx.actor, run_id=ctx.run_id
        )
