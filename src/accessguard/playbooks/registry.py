"""The action registry: each action name bound to its idempotent implementation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accessguard.playbooks.action_specs import SPECS
from accessguard.playbooks.actions import (
    app_passwords,
    credentials,
    fields,
    handover,
    inventory,
    manual,
    notify,
    platform,
    vault,
)
from accessguard.playbooks.batch import BatchAction
from accessguard.playbooks.context import ActionContext
from accessguard.results import ActionResult


@dataclass(frozen=True)
class Action:
    """How to run an item (``run``), or a step's items together (``batch``); and what
    confirming a waiting item does (if anything beyond recording it)."""

    run: Callable[[ActionContext], ActionResult] | None = None
    confirm: Callable[[ActionContext, str], ActionResult] | None = None
    #: Each batched action has its own phase types; the registry holds them all.
    batch: BatchAction[Any, Any] | None = None
    #: On resume, the outcome of a waiting item that no longer waits for anyone (the
    #: rotation it waits for was confirmed elsewhere), or None: it keeps waiting.
    settled: Callable[[ActionContext], ActionResult | None] | None = None


ACTIONS: dict[str, Action] = {
    "mark-leaving": Action(inventory.mark_leaving),
    "mark-departed": Action(inventory.mark_departed),
    "handover-check": Action(handover.handover_check),
    "transfer-ownership": Action(inventory.transfer_ownership),
    "revoke-access": Action(platform.revoke_access),
    "end-grants": Action(batch=BatchAction(inventory.prepare_end_grants, inventory.end_grants)),
    "revoke-vault-access": Action(vault.revoke_vault_access),
    "rotate-credential": Action(
        confirm=vault.confirm_rotation,
        batch=BatchAction(vault.prepare_rotations, vault.record_rotations, vault.rotate_credential),
        settled=vault.rotation_settled,
    ),
    "renew-field": Action(fields.renew_field, fields.confirm_field, settled=fields.field_settled),
    "reenrol-totp": Action(vault.reenrol_totp, vault.confirm_totp),
    "notify": Action(notify.notify),
    "open-ticket": Action(notify.open_ticket),
    "manual": Action(manual.manual),
    "start-rotation": Action(credentials.start_rotation),
    "rollback-rotation": Action(credentials.rollback_rotation),
    "adopt-version": Action(credentials.adopt_version),
    "sync-vault-groups": Action(credentials.sync_vault_groups),
    "revoke-app-passwords": Action(app_passwords.revoke_app_passwords),
}

if any((a.run is None) == (a.batch is None) for a in ACTIONS.values()):  # pragma: no cover
    raise RuntimeError("every action needs exactly one of run and batch")
if set(ACTIONS) != set(SPECS):  # pragma: no cover - a programming error caught by the tests
    raise RuntimeError(f"actions and specs disagree: {sorted(set(ACTIONS) ^ set(SPECS))}")
