"""Findings about removals that are not confirmed: held grants and runs left unfinished.

An offboarding whose platform removal failed or waits for a person holds the grant
revoke-pending instead of ending it (``playbooks/actions/inventory.end_grants``); these
rules make that visible, with the reason and the run to finish.
"""

from __future__ import annotations

from sqlalchemy import select

from accessguard.clock import stamp
from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import grants as _GRANTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.db.tables import runs as _RUNS
from accessguard.reports.findings.base import Finding, FindingContext, FindingStream, Severity

#: Run statuses that leave work or a manual step open, with the finding's severity and
#: what to do. ``interrupted`` is a run whose process died (shown by ``runs list``).
INCOMPLETE_RUNS: dict[str, tuple[Severity, str]] = {
    "failed": (
        Severity.HIGH,
        "fix the cause shown by `accessguard runs show {run}`, then resume it",
    ),
    "partial": (
        Severity.HIGH,
        "fix the failed items (`accessguard runs show {run}`), then resume it",
    ),
    "interrupted": (Severity.HIGH, "its process died: `accessguard runs resume {run}`"),
    "waiting": (
        Severity.MEDIUM,
        "do the manual steps and `accessguard runs confirm {run} STEP`, then resume it",
    ),
}


def unconfirmed_removals(ctx: FindingContext) -> FindingStream:
    """Grants held revoke-pending: critical once the person has left (departed, or past
    their end date), high before."""
    grants, people, accounts = _GRANTS.c, _PEOPLE.c, _ACCOUNTS.c
    query = (
        select(
            grants.id,
            grants.role,
            grants.revoke_pending_reason,
            grants.revoke_pending_run,
            people.email,
            people.status,
            people.end_date,
            accounts.name,
        )
        .join(_PEOPLE, people.id == grants.person_id)
        .join(_ACCOUNTS, accounts.id == grants.account_id)
        .where(grants.revoked_at.is_(None), grants.revoke_pending_at.is_not(None))
        .order_by(people.email, accounts.name, grants.id)
    )
    today = ctx.now.date()
    for gid, role, reason, run, email, status, end, account in ctx.session.execute(query):
        # Past the end date the person has left, whether or not the run could mark them
        # departed yet (it waits while a removal is held).
        gone = status == "departed" or (end is not None and end <= today)
        severity = Severity.CRITICAL if gone else Severity.HIGH
        message = (
            f"{email} ({status}) may still hold {role} on {account}: removal not confirmed "
            f"(run {run}): {reason}"
        )
        yield Finding(
            "removal-unconfirmed",
            severity,
            "grant",
            str(gid),
            message,
            account=account,
            person=email,
        )


def incomplete_runs(ctx: FindingContext) -> FindingStream:
    """Runs that failed, ended partial, wait for a person or were interrupted."""
    from accessguard.playbooks.run_views import shown_status
    from accessguard.playbooks.state import get_run

    runs = _RUNS.c
    query = (
        select(runs.id, runs.subject, runs.playbook, runs.status, runs.updated_at)
        .where(runs.status.in_([*INCOMPLETE_RUNS, "running"]))
        .order_by(runs.created_at, runs.id)
    )
    for run_id, subject, playbook, status, updated_at in ctx.session.execute(query).all():
        if status == "running":
            # Stored running, shown interrupted when no live process holds its lock.
            status = str(
                shown_status(ctx.session, get_run(ctx.session, run_id, plan=False), ctx.now)
            )
            if status not in INCOMPLETE_RUNS:
                continue
        severity, todo = INCOMPLETE_RUNS[status]
        message = (
            f"run {run_id} ({playbook} for {subject}) is {status} since "
            f"{stamp(updated_at)}: {todo.format(run=run_id)}"
        )
        # A run's subject is a person's email, or "review-campaign-N" / "account:NAME".
        person = subject if "@" in subject else None
        yield Finding("run-incomplete", severity, "run", run_id, message, person=person)
