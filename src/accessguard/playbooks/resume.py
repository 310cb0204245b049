"""Taking up a run again: the lock (a dead holder's taken over, audited), who resumes, ``run.resume``.

Whoever resumes a run becomes its actor from then on (``runs.resumed_by``): the audit
events of everything the resumed run does, its final event included, name them, not
the person who started it.
"""

from __future__ import annotations

from sqlalchemy import Connection, update

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.db.tables import runs as _RUNS
from accessguard.playbooks import lock
from accessguard.playbooks.run_records import RunRecord


def begin_resume(session: Connection, clock: Clock, run: RunRecord, *, actor: str) -> None:
    """Take the run's lock for ``actor`` and record the resume, in the caller's transaction.

    A live holder's lock raises LockHeldError (nothing is written); a dead one's is taken
    over and audited. The ``run.resume`` event names the resuming actor, the run's
    status before and the previous actor.
    """
    taken = lock.acquire(session, clock, run.subject, run.id, actor=actor)
    session.execute(
        update(_RUNS).where(_RUNS.c.id == run.id).values(resumed_by=actor, updated_at=clock.now())
    )
    record(
        session,
        clock,
        actor=actor,
        action=AuditAction.RUN_RESUME,
        target_type="person",
        target=run.subject,
        run_id=run.id,
        details={
            "status_before": str(run.status),
            "previous_actor": run.current_actor,
            "took_over_lock_of": taken.holder if taken is not None else None,
        },
    )
