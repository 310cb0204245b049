"""The engine's guards, applied once before a run starts or resumes, whatever command built the plan.

- **Step-up**: a destructive plan needs the operator's own second factor, validated
  by Vault once per code under a lockout (``playbooks/stepup.py``), when the config
  file's ``[offboarding] step_up`` is on; off is audited at every run. The library
  never prompts: the caller injects a ``StepUp`` (how the CLI asks for or reads the
  code); without one, the run is refused.
- **Handover**: a plan that removes admin grants must not leave an account without an
  active admin or owner, unless the plan was made with ``force``.
- **One run per subject**: the lock (``playbooks/lock.py``), taken by the runner in the
  transaction that stores the run.
"""

from __future__ import annotations

from sqlalchemy import Connection

from accessguard.app import App
from accessguard.errors import ConflictError
from accessguard.inventory.admin import uncovered_accounts
from accessguard.playbooks.plan import Plan
from accessguard.playbooks.sources import GrantParams
from accessguard.playbooks.stepup import StepUp, require

#: The digest of plans built in code (``playbooks/builtin.py``) rather than from a playbook file.
BUILTIN_DIGEST = "builtin"
#: Actions whose items (``grant_id`` params) take a grant away.
GRANT_REMOVERS = ("revoke-access", "end-grants")
__all__ = ["StepUp", "check_handover", "require_step_up", "require_step_up_for"]


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


def check_handover(session: Connection, plan: Plan) -> None:
    """Refuse a plan that leaves an account without an active admin or owner (unless forced)."""
    if plan.force:
        return
    orphans = orphaned_accounts(session, plan)
    if orphans:
        raise ConflictError(
            f"refusing to run: it would leave {', '.join(orphans)} with no active admin or owner",
            hint="give another person an admin role first (or name a successor); "
            "--force accepts the risk",
            code="handover-guard",
        )
