"""Built-in plans: what `revoke`, `vault revoke-person`, `creds rotate|rollback` and `review close` run.

Every command that changes access or secrets builds a ``Plan`` here (or from a playbook
file, for offboarding) and hands it to the runner, so each change is a run: stored,
locked per subject, guarded (step-up, handover), resumable, listed by `runs list`.
The steps use the same actions as the playbooks (``end-grants``, ``revoke-access``,
``revoke-vault-access``, ``start-rotation``...). A built-in plan carries the digest
``builtin`` and the command's name as its playbook.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import grants as _GRANTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.errors import InputError, StepFailedError
from accessguard.inventory.records import (
    active_grants_for,
    get_account_record,
    get_person_record,
    person_to_dict,
)
from accessguard.inventory.validation import check_text
from accessguard.playbooks import state
from accessguard.playbooks.action_specs import SPECS
from accessguard.playbooks.guards import BUILTIN_DIGEST, StepUp, with_holds
from accessguard.playbooks.hooks import RunHooks
from accessguard.playbooks.plan import Plan, PlanItem, PlanStep, plan_lines
from accessguard.playbooks.planner import SUBJECT_ITEM, grant_item
from accessguard.playbooks.sources import AccountParams, GrantParams, SubjectParams
from accessguard.playbooks.status import ItemStatus

if TYPE_CHECKING:
    from accessguard.app import App
    from accessguard.playbooks.run_report import RunReport


def literal(text: str) -> str:
    """``text`` as a step argument that actions render as a template: braces kept as typed."""
    return text.replace("{", "{{").replace("}", "}}")


def builtin_step(
    step_id: str,
    action: str,
    items: Sequence[PlanItem],
    *,
    description: str = "",
    args: dict[str, Any] | None = None,
    on_failure: str = "continue",
) -> PlanStep:
    """A plan step for ``action`` (its destructiveness from the action's spec); skipped if empty."""
    return PlanStep(
        id=step_id,
        action=action,
        description=description or SPECS[action].summary,
        on_failure=on_failure,
        destructive=SPECS[action].destructive,
        args=dict(args or {}),
        items=tuple(items),
        skipped=None if items else "nothing to do",
    )


def builtin_plan(
    name: str, subject: dict[str, Any], steps: Sequence[PlanStep], *, force: bool = False
) -> Plan:
    """A plan built in code; ``subject['email']`` is the lock key and the run's subject."""
    return Plan(
        subject=subject,
        playbook=name,
        playbook_digest=BUILTIN_DIGEST,
        steps=tuple(steps),
        force=force,
    )


def person_subject(session: Connection, email: str) -> dict[str, Any]:
    """A person as a plan's subject (the same shape as an offboarding's)."""
    person = get_person_record(session, email)
    return {**person_to_dict(person), "id": person.id}


def account_subject(session: Connection, account_ref: str) -> dict[str, Any]:
    """An account as a plan's subject: runs on it are locked by ``account:NAME``."""
    account = get_account_record(session, account_ref)
    return {
        "email": f"account:{account.name}",
        "name": account.name,
        "kind": "account",
        "status": account.platform,
        "account_id": account.id,
    }


def grant_items(session: Connection, grant_ids: Sequence[int]) -> list[PlanItem]:
    """One item per grant (``grant-ID``), with whose it is and where, in the order given."""
    grants, people, accounts = _GRANTS.c, _PEOPLE.c, _ACCOUNTS.c
    rows = {
        row.id: row
        for row in session.execute(
            select(
                grants.id,
                grants.account_id,
                grants.role,
                grants.via,
                people.email,
                people.name.label("person_name"),
                accounts.name.label("account"),
                accounts.platform,
                accounts.handle,
            )
            .join(_PEOPLE, people.id == grants.person_id)
            .join(_ACCOUNTS, accounts.id == grants.account_id)
            .where(grants.id.in_(list(grant_ids)))
        )
    }
    items = []
    for grant_id in dict.fromkeys(grant_ids):
        row = rows.get(grant_id)
        if row is None:
            raise InputError(f"grant {grant_id} does not exist")
        items.append(
            grant_item(
                GrantParams(
                    grant_id=row.id,
                    account_id=row.account_id,
                    account=row.account,
                    platform=row.platform,
                    handle=row.handle,
                    role=row.role,
                    via=row.via,
                    person=row.email,
                    person_name=row.person_name,
                )
            )
        )
    return items


def revocation_steps(
    session: Connection, grant_ids: Sequence[int], *, reason: str
) -> tuple[PlanStep, ...]:
    """Remove these grants everywhere: on the platform (or a manual checklist step), in the
    inventory, and from Vault groups when any is a shared login."""
    items = grant_items(session, grant_ids)
    shared = any(
        isinstance(item.params, GrantParams) and item.params.via == "shared-login" for item in items
    )
    subject = [PlanItem(SUBJECT_ITEM, "Vault groups", SubjectParams())] if shared else []
    return (
        builtin_step("revoke-platform-access", "revoke-access", items),
        builtin_step("end-grants", "end-grants", items, args={"reason": literal(reason)}),
        builtin_step("sync-vault-groups", "sync-vault-groups", subject),
    )


def revoke_plan(
    session: Connection,
    person: str,
    account_ref: str,
    *,
    reason: str,
    role: str | None = None,
    force: bool = False,
) -> Plan:
    """`revoke PERSON ACCOUNT`: end the person's active grants on the account in the inventory."""
    reason = check_text(reason, "reason", max_length=2000, multiline=True)
    if not reason:
        raise InputError("reason: must not be empty")
    subject = person_subject(session, person)
    account = get_account_record(session, account_ref)
    ids = [
        grant.id
        for grant, held in active_grants_for(session, int(subject["id"]))
        if held.id == account.id and (role is None or grant.role == role.lower())
    ]
    items = grant_items(session, ids)
    step = builtin_step("end-grants", "end-grants", items, args={"reason": literal(reason)})
    return with_holds(session, builtin_plan("revoke", subject, [step], force=force))


def vault_revoke_plan(session: Connection, person: str) -> Plan:
    """`vault revoke-person PERSON`: groups, entity, login and tokens of the person."""
    subject = person_subject(session, person)
    email = str(subject["email"])
    item = PlanItem(SUBJECT_ITEM, email, SubjectParams(email))
    return builtin_plan(
        "vault-revoke-person",
        subject,
        [builtin_step("revoke-vault-access", "revoke-vault-access", [item])],
    )


def _account_item(subject: dict[str, Any]) -> PlanItem:
    return PlanItem(
        f"account-{subject['account_id']}",
        f"{subject['name']} ({subject['status']}): shared login",
        AccountParams(account_id=int(subject["account_id"]), account=str(subject["name"])),
    )


def rotation_plan(
    session: Connection, account_ref: str, *, reason: str, idempotency_key: str | None = None
) -> Plan:
    """`creds rotate ACCOUNT`: phase 1 of a rotation (``creds confirm`` is phase 2)."""
    subject = account_subject(session, account_ref)
    args: dict[str, Any] = {"reason": reason}
    if idempotency_key:
        args["idempotency_key"] = idempotency_key
    step = builtin_step("rotate", "start-rotation", [_account_item(subject)], args=args)
    return builtin_plan("creds-rotate", subject, [step])


def rollback_plan(session: Connection, account_ref: str, *, reason: str | None = None) -> Plan:
    """`creds rollback ACCOUNT`: undo a pending rotation."""
    subject = account_subject(session, account_ref)
    args = {"reason": reason} if reason else {}
    step = builtin_step("rollback", "rollback-rotation", [_account_item(subject)], args=args)
    return builtin_plan("creds-rollback", subject, [step])


def adopt_plan(
    session: Connection, account_ref: str, *, version: int, reason: str | None = None
) -> Plan:
    """`creds adopt ACCOUNT`: record the reviewed out-of-band ``version`` as active."""
    subject = account_subject(session, account_ref)
    args: dict[str, Any] = {"version": version, **({"reason": reason} if reason else {})}
    step = builtin_step("adopt", "adopt-version", [_account_item(subject)], args=args)
    return builtin_plan("creds-adopt", subject, [step])


def describe(plan: Plan) -> list[str]:
    """What --dry-run prints for any plan: offboardings as ``plan_lines``, built-in plans named
    for what they do."""
    lines = plan_lines(plan)
    if plan.playbook_digest == BUILTIN_DIGEST:
        lines[0] = f"Plan {plan.playbook!r} for {plan.subject.get('name') or plan.email}"
    return lines


def run_builtin(
    app: App,
    plan: Plan,
    *,
    step_up: StepUp | None = None,
    on_start: Callable[[str], None] | None = None,
    hooks: RunHooks | None = None,
) -> RunReport:
    """Run a built-in plan through the engine (guards, lock, intent and outcome rows).

    Another unfinished run for the same subject (an offboarding waiting for a manual
    step) does not block it; a run in progress (the lock) does.
    """
    from accessguard.playbooks.runner import run_plan

    return run_plan(
        app,
        plan,
        concurrency=1,
        allow_unfinished=True,
        step_up=step_up,
        on_start=on_start,
        hooks=hooks,
    )


def only_result(app: App, report: RunReport) -> dict[str, Any]:
    """The recorded result of a one-item run, with its run id; StepFailedError if it failed."""
    with app.begin() as conn:
        items = state.run_items(conn, report.run_id)
    if len(items) != 1:
        raise StepFailedError(f"run {report.run_id} has {len(items)} items, not one")
    item = items[0]
    result = dict(item.result or {})
    if item.status == ItemStatus.FAILED:
        details = result.get("details") or {}
        raise StepFailedError(
            str(result.get("message") or "failed"),
            hint=f"see `accessguard runs show {report.run_id}`",
            code=str(details.get("code") or "step-failed"),
        )
    return {**result, "outcome": item.status, "run": report.run_id}
