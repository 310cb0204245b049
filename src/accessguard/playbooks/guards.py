"""The engine's guards, applied once before a run starts or resumes, whatever command built the plan.

- **Step-up**: a destructive plan needs the operator's own second factor, validated
  by Vault once per code under a lockout (``credentials/stepup.py``), when the config
  file's ``[offboarding] step_up`` is on; off is audited at every run. The library
  never prompts: the caller injects a ``StepUp`` (how the CLI asks for or reads the
  code); without one, the run is refused.
- **Handover**: a plan that removes admin grants must not leave an account without an
  active admin or owner, unless the plan was made with ``force``.
- **One run per subject**: the lock (``playbooks/lock.py``), taken by the runner in the
  transaction that stores the run.
"""

from __future__ import annotations

from sqlalchemy import select

from accessguard.app import App
from accessguard.credentials.stepup import StepUp, require
from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import grants as _GRANTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.db.types import Executor
from accessguard.errors import ConflictError
from accessguard.inventory.vocab import is_admin_role
from accessguard.playbooks.plan import Plan

#: The digest of plans built in code (``playbooks/builtin.py``) rather than from a playbook file.
BUILTIN_DIGEST = "builtin"
#: Actions whose items (``grant_id`` params) take a grant away.
GRANT_REMOVERS = ("revoke-access", "end-grants")
__all__ = ["StepUp", "check_handover", "require_step_up", "require_step_up_for"]


def require_step_up_for(app: App, step_up: StepUp | None, *, why: str) -> None:
    """Step-up for one destructive change, or refuse (``credentials.stepup.require``)."""
    require(app, step_up, why=why)


def require_step_up(app: App, plan: Plan, step_up: StepUp | None) -> None:
    """Step-up before a destructive plan runs or resumes (``step_up`` asks the operator)."""
    if plan.destructive:
        require_step_up_for(app, step_up, why=f"{plan.playbook} for {plan.email}")


def removed_grants(plan: Plan) -> set[int]:
    """Ids of the grants the plan's destructive steps take away."""
    return {
        int(item.params["grant_id"])
        for step in plan.steps
        if step.destructive and not step.skipped and step.action in GRANT_REMOVERS
        for item in step.items
        if "grant_id" in item.params
    }


def leaving_subject(plan: Plan) -> int | None:
    """The person id whose every grant goes away: an offboarding's subject (built-in plans: none)."""
    if plan.playbook_digest == BUILTIN_DIGEST:
        return None
    value = plan.subject.get("id")
    return int(value) if value is not None else None


def orphaned_accounts(session: Executor, plan: Plan) -> list[str]:
    """Accounts the plan would leave with no active admin or owner (``name (platform)``).

    An account is covered by another active person's admin grant (not a shared login)
    that the plan keeps, by an active owner who is not the plan's subject, or by the
    plan's successor. For an offboarding, every grant of the subject counts as gone.
    """
    removed = removed_grants(plan)
    if not removed or plan.successor:
        return []
    grants, people, accounts = _GRANTS.c, _PEOPLE.c, _ACCOUNTS.c
    touched = {
        account_id
        for account_id, role, via in session.execute(
            select(grants.account_id, grants.role, grants.via).where(
                grants.id.in_(removed), grants.revoked_at.is_(None)
            )
        )
        if via != "shared-login" and is_admin_role(role)
    }
    if not touched:
        return []
    subject = leaving_subject(plan)
    covered: set[int] = set()
    for account_id, grant_id, role, person_id in session.execute(
        select(grants.account_id, grants.id, grants.role, grants.person_id)
        .join(_PEOPLE, people.id == grants.person_id)
        .where(
            grants.account_id.in_(touched),
            grants.revoked_at.is_(None),
            grants.via != "shared-login",
            people.status != "departed",
        )
    ):
        if grant_id not in removed and person_id != subject and is_admin_role(role):
            covered.add(account_id)
    orphans = []
    for account_id, name, platform, owner_status, owner_id in session.execute(
        select(accounts.id, accounts.name, accounts.platform, people.status, people.id)
        .outerjoin(_PEOPLE, people.id == accounts.owner_id)
        .where(accounts.id.in_(touched))
        .order_by(accounts.name)
    ):
        owner_ok = owner_id is not None and owner_id != subject and owner_status != "departed"
        if account_id not in covered and not owner_ok:
            orphans.append(f"{name} ({platform})")
    return orphans


def check_handover(session: Executor, plan: Plan) -> None:
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
