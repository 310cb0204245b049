"""One run per subject at a time: a row in ``run_locks`` inserted on a unique key.

The INSERT is the lock, so it holds across processes and hosts and on PostgreSQL as
well as SQLite. Its holder is dead when, on this host, its process no longer exists
(the pid says so exactly), or, on another host, its heartbeat (``beat``, refreshed by the
runner every ``BEAT_EVERY`` while it runs) is older than ``LEASE``. A dead holder's lock
is taken over, and the takeover is audited naming the old holder; a live holder's lock
is never taken over: it is reported with the holder's name.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.db.tables import run_locks as _LOCKS
from accessguard.errors import LockHeldError

if TYPE_CHECKING:
    from accessguard.app import App

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Lock:
    """Who holds a subject's lock: the run, the process (``host:pid``), since when, last beat."""

    subject: str
    run_id: str
    holder: str
    acquired_at: datetime
    heartbeat_at: datetime | None = None

    def is_dead(self, now: datetime) -> bool:
        """True when the holder is gone: its pid on this host, its lease on another."""
        if _on_this_host(self.holder):
            return is_dead(self.holder)
        return now - (self.heartbeat_at or self.acquired_at) > LEASE


#: How often a running holder refreshes its heartbeat, and how old one may get before
#: another host's holder counts as dead (ten missed beats: a stalled database is not death).
BEAT_EVERY = timedelta(seconds=30)
LEASE = timedelta(minutes=5)


def holder_name() -> str:
    """``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _on_this_host(holder: str) -> bool:
    host, _, pid = holder.rpartition(":")
    return host == socket.gethostname() and pid.isdigit()


def is_dead(holder: str) -> bool:
    """True when the holder ran on this host and its process no longer exists."""
    _, _, pid = holder.rpartition(":")
    if not _on_this_host(holder):
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
        if existing.is_dead(clock.now()):
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
                    "last_heartbeat": _iso(existing.heartbeat_at),
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
                subject=subject,
                run_id=run_id,
                holder=holder_name(),
                acquired_at=clock.now(),
                heartbeat_at=clock.now(),
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


def beat(session: Connection, clock: Clock, subject: str, run_id: str) -> None:
    """Refresh the heartbeat of ``run_id``'s lock (the holder is alive and running)."""
    locks = _LOCKS.c
    session.execute(
        update(_LOCKS)
        .where(locks.subject == subject, locks.run_id == run_id)
        .values(heartbeat_at=clock.now())
    )


def holder_of(session: Connection, subject: str) -> Lock | None:
    """Who holds the lock of ``subject``, if anyone."""
    locks = _LOCKS.c
    row = session.execute(
        select(
            locks.subject, locks.run_id, locks.holder, locks.acquired_at, locks.heartbeat_at
        ).where(locks.subject == subject)
    ).first()
    return Lock(*row) if row is not None else None


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


@contextmanager
def holding_lock(app: App, subject: str, run_id: str) -> Iterator[None]:
    """Hold the lock while the run executes (its heartbeat refreshed), then release it."""
    stop = threading.Event()
    beat = threading.Thread(
        target=_heartbeat, args=(app, subject, run_id, stop), name=f"lock-{run_id}", daemon=True
    )
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join()
        with app.begin() as conn:
            release(conn, subject, run_id)


def _heartbeat(app: App, subject: str, run_id: str, stop: threading.Event) -> None:
    """Refresh the lock's heartbeat every ``BEAT_EVERY`` until ``stop`` is set."""
    while not stop.wait(BEAT_EVERY.total_seconds()):
        try:
            with app.begin() as conn:
                beat(conn, app.clock, subject, run_id)
        except Exception as exc:  # a missed beat only ages the lease; the run must go on
            log.warning("run %s: lock heartbeat failed: %s", run_id, exc)
