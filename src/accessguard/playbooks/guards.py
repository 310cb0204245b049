"""The engine's guards, applied once before a run starts or resumes, whatever command built the plan.

- **Step-up**: a destructive plan needs the operator's own second factor, validated
  by Vault once per code under a lockout (``playbooks/stepup.py``), when the config
  file's ``[offboarding] step_up`` is on; off is audited at every run. The library
  never prompts: the caller injects a ``StepUp`` (how the CLI asks for or reads the
  code); without one, the run is refused.
- **Handover**: a plan that removes admin grants must not leave an account without an
  active admin or owner, unless the plan was made with ``force``. Leaving and departed
  people never count as remaining, nor the subjects of other offboardings in flight: a
  run that would take an account's last admin from under another run is held at its
  start (``handover-held``, naming that run), decided in the transaction that stores the
  run with the accounts' rows locked, so of two runs starting at once exactly one passes.
  At run time, destructive items on such an account wait (``held``) until the run's
  handover item for it is through (``handover.py``), see ``held_items``.
- **One run per subject**: the lock (``playbooks/lock.py``), taken by the runner in the
  transaction that stores the run.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from sqlalchemy import Connection, select

from accessguard.app import App
from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.db.tables import run_items as _ITEMS
from accessguard.db.tables import runs as _RUNS
from accessguard.errors import ConflictError
from accessguard.inventory.admin import admins_among, uncovered, uncovered_accounts
from accessguard.inventory.vocab import is_admin_role
from accessguard.playbooks.plan import Plan, PlanItem, PlanStep
from accessguard.playbooks.sources import GrantParams, HandoverParams
from accessguard.playbooks.status import UNFINISHED_RUN, ItemStatus
from accessguard.playbooks.stepup import StepUp, require
from accessguard.results import ActionResult

#: The digest of plans built in code (``playbooks/builtin.py``) rather than from a playbook file.
BUILTIN_DIGEST = "builtin"
#: Actions whose items (``grant_id`` params) take a grant away.
GRANT_REMOVERS = ("revoke-access", "end-grants")
#: The action that confirms an account keeps an admin; its items are ``account-ID``.
HANDOVER_ACTION = "handover-check"
#: Actions held while any item of their run is held (the subject is not departed yet).
AFTER_HANDOVER = ("mark-departed",)
#: Handover item statuses that let removals on its account go ahead.
HANDED_OVER = frozenset({ItemStatus.CHANGED, ItemStatus.UNCHANGED, ItemStatus.DONE})
__all__ = [
    "HANDOVER_ACTION",
    "StepUp",
    "check_handover",
    "departing",
    "held_items",
    "may_hold",
    "require_step_up",
    "require_step_up_for",
    "with_holds",
]


def require_step_up_for(app: App, step_up: StepUp | None, *, why: str) -> None:
    """Step-up for one destructive change, or refuse (``playbooks.stepup.require``)."""
    require(app, step_up, why=why)


def require_step_up(app: App, plan: Plan, step_up: StepUp | None) -> None:
    """Step-up before a destructive plan runs or resumes (``step_up`` asks the operator)."""
    if plan.destructive:
        require_step_up_for(app, step_up, why=f"{plan.playbook} for {plan.email}")


def removed_grants(plan: Plan) -> set[int]:
    """Ids of the grants the plan's destructive steps take away."""
    return {
        item.params.grant_id
        for step in plan.steps
        if step.destructive and not step.skipped and step.action in GRANT_REMOVERS
        for item in step.items
        if isinstance(item.params, GrantParams)
    }


def leaving_subject(plan: Plan) -> int | None:
    """The person id whose every grant goes away: an offboarding's subject (built-in plans: none)."""
    if plan.playbook_digest == BUILTIN_DIGEST:
        return None
    value = plan.subject.get("id")
    return int(value) if value is not None else None


def orphaned_accounts(session: Connection, plan: Plan) -> list[str]:
    """Accounts the plan would leave with no active admin or owner (``name (platform)``).

    The rule is the inventory's (``inventory.admin.uncovered_accounts``); a successor
    covers every account, and for an offboarding every grant of the subject counts as gone.
    """
    removed = removed_grants(plan)
    if not removed or plan.successor:
        return []
    return uncovered_accounts(session, removed, leaving=leaving_subject(plan))


def departing(
    session: Connection, *, exclude_subject: str | None = None, exclude_run: str | None = None
) -> dict[int, tuple[str, str]]:
    """People being offboarded by an unfinished run: person id -> (run id, email).

    Built-in plans (a revoke, a review close) do not take a person away; offboardings do.
    """
    runs, people = _RUNS.c, _PEOPLE.c
    query = (
        select(people.id, runs.id, people.email)
        .join(_PEOPLE, people.email == runs.subject)
        .where(runs.status.in_(list(UNFINISHED_RUN)), runs.playbook_digest != BUILTIN_DIGEST)
        .order_by(runs.created_at, runs.id)
    )
    if exclude_subject is not None:
        query = query.where(runs.subject != exclude_subject)
    if exclude_run is not None:
        query = query.where(runs.id != exclude_run)
    found: dict[int, tuple[str, str]] = {}
    for person_id, run_id, email in session.execute(query):
        found.setdefault(person_id, (run_id, email))
    return found


def held_by_runs(
    session: Connection,
    accounts: Sequence[tuple[int, str, str]],
    others: dict[int, tuple[str, str]],
) -> list[str]:
    """For each account, the other runs taking away its admins: ``name (platform): email (run R)``."""
    among = admins_among(session, [a for a, _, _ in accounts], list(others))
    lines = []
    for account_id, name, platform in accounts:
        names = [
            f"{others[p][1]} is leaving in run {others[p][0]}"
            for p in sorted(among.get(account_id, ()), key=lambda p: others[p][0])
        ]
        if names:
            lines.append(f"{name} ({platform}): {'; '.join(names)}")
    return lines


def _lock_accounts(session: Connection, account_ids: Collection[int]) -> None:
    """Lock the accounts' rows until the transaction ends (PostgreSQL; SQLite's writer lock already serialises)."""
    if account_ids:
        accounts = _ACCOUNTS.c
        session.execute(
            select(accounts.id)
            .where(accounts.id.in_(sorted(account_ids)))
            .order_by(accounts.id)
            .with_for_update()
        )


def check_handover(session: Connection, plan: Plan, *, run_id: str | None = None) -> None:
    """Refuse a plan that leaves an account without an active admin or owner (unless forced).

    Called in the transaction that stores the run (``run_id``): the touched accounts are
    locked first, so two runs starting at once see each other. A plan whose last admin of
    an account is another run's subject is held (``handover-held``), naming that run.
    """
    if plan.force:
        return
    removed = removed_grants(plan)
    if not removed:
        return
    _lock_accounts(session, _removed_accounts(plan))
    if plan.successor:
        return  # the successor covers every account; removals wait for them at run time
    others = departing(session, exclude_subject=plan.email, exclude_run=run_id)
    subject = leaving_subject(plan)
    gaps = uncovered(session, removed, leaving=subject, going=set(others))
    held = held_by_runs(session, gaps, others)
    if held:
        raise ConflictError(
            f"held: the run for {plan.email} would leave an account with no admin: "
            + "; ".join(held),
            hint="finish (or cancel) that run first, or name a successor who becomes admin "
            "(--successor); --force accepts the risk",
            code="handover-held",
        )
    orphans = [f"{name} ({platform})" for _, name, platform in gaps]
    if orphans:
        raise ConflictError(
            f"refusing to run: it would leave {', '.join(orphans)} with no active admin or owner",
            hint="give another person an admin role first (or name a successor); "
            "--force accepts the risk",
            code="handover-guard",
        )


def with_holds(session: Connection, plan: Plan) -> Plan:
    """The plan with a warning per account it would leave without an admin (what a run refuses).

    For plans built in code (a revoke, a review close), so ``--dry-run`` shows the hold.
    """
    removed = removed_grants(plan)
    if plan.force or not removed:
        return plan
    others = departing(session, exclude_subject=plan.email)
    gaps = uncovered(session, removed, leaving=leaving_subject(plan), going=set(others))
    if not gaps:
        return plan
    because = {
        line.split(": ", 1)[0]: line.split(": ", 1)[1]
        for line in held_by_runs(session, gaps, others)
    }
    holds = []
    for _, name, platform in gaps:
        where = f"{name} ({platform})"
        why = f" ({because[where]})" if where in because else ""
        holds.append(
            f"hold: {where} would be left with no active admin or owner{why}; "
            "the run will be refused (--force accepts the risk)"
        )
    return replace(plan, warnings=(*plan.warnings, *holds))


def _removed_accounts(plan: Plan) -> set[int]:
    return {
        item.params.account_id
        for step in plan.steps
        if step.destructive and not step.skipped and step.action in GRANT_REMOVERS
        for item in step.items
        if isinstance(item.params, GrantParams)
    }


def at_risk_accounts(plan: Plan) -> set[int]:
    """Accounts whose admin role (not a shared login) the plan takes away."""
    return {
        item.params.account_id
        for step in plan.steps
        if step.destructive and not step.skipped and step.action in GRANT_REMOVERS
        for item in step.items
        if isinstance(item.params, GrantParams)
        and item.params.via != "shared-login"
        and is_admin_role(item.params.role)
    }


def may_hold(plan: Plan, step: PlanStep) -> bool:
    """Whether ``held_items`` can hold anything of ``step`` (saves a transaction per step)."""
    if plan.force:
        return False
    return step.action in AFTER_HANDOVER or (step.destructive and step.action in GRANT_REMOVERS)


def held_items(
    session: Connection, plan: Plan, run_id: str, step: PlanStep, items: Sequence[PlanItem]
) -> dict[str, ActionResult]:
    """The items of ``step`` the handover guard holds now, each with why (empty: go ahead).

    A removal on an account whose admin the plan takes away goes ahead only once the
    run's handover item for that account is through (the account keeps another admin,
    the successor shows as admin on the platform, or a person confirmed it); a plan with
    no handover item for it needs another remaining admin in the inventory now. Items on
    other accounts go ahead. ``mark-departed`` waits while anything of the run is held.
    """
    if plan.force or not items:
        return {}
    if step.action in AFTER_HANDOVER:
        if _run_has_held(session, run_id, other_than=step.id):
            held = ActionResult.held(
                "held: another item of the run is held (a handover, or a revocation that "
                "waits for a confirmation)",
                "the subject is marked departed once every held item has gone ahead; "
                "`accessguard runs show` lists them",
            )
            return {item.id: held for item in items}
        return {}
    if not step.destructive or step.action not in GRANT_REMOVERS:
        return {}
    risky = at_risk_accounts(plan)
    touched = {
        item.params.account_id
        for item in items
        if isinstance(item.params, GrantParams) and item.params.account_id in risky
    }
    if not touched:
        return {}
    blocked = _not_handed_over(session, plan, run_id, touched)
    result = {}
    for item in items:
        params = item.params
        if isinstance(params, GrantParams) and params.account_id in blocked:
            result[item.id] = ActionResult.held(
                f"held: {params.account} keeps no confirmed admin yet",
                blocked[params.account_id],
                account=params.account,
            )
    return result


def _not_handed_over(
    session: Connection, plan: Plan, run_id: str, accounts: set[int]
) -> dict[int, str]:
    """Account id -> what to do, for the accounts with no remaining admin whose handover is not through.

    An account that keeps a remaining admin in the inventory now goes ahead whether or not
    its handover item has run yet (the ``immediate`` playbook removes access first).
    """
    others = departing(session, exclude_subject=plan.email, exclude_run=run_id)
    gaps = {
        account_id: f"{name} ({platform})"
        for account_id, name, platform in uncovered(
            session, removed_grants(plan), leaving=leaving_subject(plan), going=set(others)
        )
        if account_id in accounts
    }
    if not gaps:
        return {}
    handover = {
        item.params.account_id: (step.id, item.id)
        for step in plan.steps
        if step.action == HANDOVER_ACTION and not step.skipped
        for item in step.items
        if isinstance(item.params, HandoverParams)
    }
    items = _ITEMS.c
    statuses = {
        (step_id, item_id): status
        for step_id, item_id, status in session.execute(
            select(items.step_id, items.item_id, items.status).where(items.run_id == run_id)
        )
    }
    blocked: dict[int, str] = {}
    for account_id, where in gaps.items():
        if account_id not in handover:
            blocked[account_id] = (
                f"{where} would have no admin left: appoint another admin, record the grant, "
                f"then `accessguard runs resume {run_id}`"
            )
            continue
        step_id, item_id = handover[account_id]
        if statuses.get((step_id, item_id)) not in HANDED_OVER:
            blocked[account_id] = (
                f"waits for the handover item {step_id} {item_id}: once the new admin shows "
                f"on the platform, `accessguard runs resume {run_id}`; or confirm it by hand "
                f"with `accessguard runs confirm {run_id} {step_id} --item {item_id} --evidence ...`"
            )
    return blocked


def _run_has_held(session: Connection, run_id: str, *, other_than: str) -> bool:
    items = _ITEMS.c
    row = session.execute(
        select(items.item_id).where(
            items.run_id == run_id, items.status == ItemStatus.HELD, items.step_id != other_than
        )
    ).first()
    return row is not None
