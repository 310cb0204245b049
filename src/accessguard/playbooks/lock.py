"""One run per subject at a time: a row in ``run_locks`` inserted on a unique key.

The INSERT is the lock, so it holds across processes and hosts and on PostgreSQL as
well as SQLite. A lock left by a process that was killed on this host is noticed
(its pid is gone) and taken over, and the takeover is audited naming the dead holder;
a live holder's lock, or one held on another host, is never taken over: it is reported
with the holder's name.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import IntegrityError

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.db.tables import run_locks as _LOCKS
from accessguard.errors import LockHeldError


@dataclass(frozen=True, slots=True)
class Lock:
    """Who holds a subject's lock: the run, the process (``host:pid``) and since when."""

    subject: str
    run_id: str
    holder: str
    acquired_at: datetime


def holder_name() -> str:
    """``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def is_dead(holder: str) -> bool:
    """True when the holder ran on this host and its process no longer exists."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def acquire(
    session: Connection, clock: Clock, subject: str, run_id: str, *, actor: str
) -> Lock | None:
    """Take the subject's lock for ``run_id`` in the caller's transaction, or raise LockHeldError.

    Returns the dead holder's lock when it was taken over (audited as ``run.lock-takeover``
    by ``actor``, naming the old holder), else None.
    """
    existing = holder_of(session, subject)
    if existing is not None:
        if is_dead(existing.holder):
            release(session, subject, existing.run_id)
            record(
                session,
                clock,
                actor=actor,
                action=AuditAction.RUN_LOCK_TAKEOVER,
                target_type="person",
                target=subject,
                run_id=run_id,
                details={
                    "holder": existing.holder,
                    "held_for": existing.run_id,
                    "held_since": existing.acquired_at.isoformat(),
                },
            )
        else:
            raise LockHeldError(
                f"a run for {subject} is in progress (run {existing.run_id}, held by {existing.holder} "
                f"since {existing.acquired_at:%Y-%m-%d %H:%M:%S} UTC)",
                hint="wait for it to finish; if that process is gone for good, "
                f"`accessguard runs unlock {existing.run_id}`",
            )
    try:
        session.execute(
            insert(_LOCKS).values(
                subject=subject, run_id=run_id, holder=holder_name(), acquired_at=clock.now()
            )
        )
    except IntegrityError:
        raise LockHeldError(
            f"a run for {subject} is in progress (another process took the lock just now)",
            hint="wait for it to finish, then look at `accessguard runs list`",
        ) from None
    return existing


def release(session: Connection, subject: str, run_id: str) -> None:
    """Drop the lock if ``run_id`` holds it."""
    locks = _LOCKS.c
    session.execute(delete(_LOCKS).where(locks.subject == subject, locks.run_id == run_id))


def holder_of(session: Connection, subject: str) -> Lock | None:
    """Who holds the lock of ``subject``, if anyone."""
    locks = _LOCKS.c
    row = session.execute(
        select(locks.subject, locks.run_id, locks.holder, locks.acquired_at).where(
            locks.subject == subject
        )
    ).first()
    return Lock(*row) if row is not None else None
