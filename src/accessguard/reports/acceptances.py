"""Risk acceptances: a finding accepted until a date, by someone, for a stated reason.

An acceptance names a finding by its stable id (kind:subject_type:subject_id). While it
is live (not withdrawn, not expired) and the finding is no worse than when it was
accepted, reports show the finding as accepted and do not count it (``--fail-on``). It
lapses by itself at expiry, or as soon as the finding's severity rises: a risk accepted
as medium is not a risk accepted as high. Accepting and withdrawing are audited in the
transaction of the change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.clock import Clock, stamp
from accessguard.config import Settings
from accessguard.db.tables import finding_acceptances as _ACCEPTANCES
from accessguard.errors import ConflictError, InputError, NotFoundError
from accessguard.inventory.validation import check_text, parse_datetime
from accessguard.reports.findings import KINDS, collect_findings
from accessguard.reports.findings.base import (
    SUBJECT_TYPES,
    Acceptance,
    Finding,
    FindingContext,
    Severity,
)

#: The longest an acceptance may run: a risk is looked at again at least once a year.
MAX_DAYS = 366
MAX_NOTE = 2000
#: From a day's midnight to its last instant: a date given as ``--until`` covers the whole day.
END_OF_DAY = timedelta(days=1, microseconds=-1)


def parse_finding_id(text: str) -> str:
    """A well-formed finding id (``kind:subject_type:subject_id``); InputError otherwise."""
    value = check_text(text, "finding", max_length=600)
    parts = value.split(":", 2)
    if len(parts) != 3 or parts[0] not in KINDS or parts[1] not in SUBJECT_TYPES or not parts[2]:
        raise InputError(
            f"finding: {value[:80]!r} is not a finding id (kind:subject_type:subject_id)",
            hint='copy the id from `report access -o json` (each finding\'s "id")',
        )
    return value


def parse_until(text: str, now: datetime) -> datetime:
    """When an acceptance ends: a date (the acceptance covers that whole day, UTC) or a time.

    A date ends at that day's last instant, 23:59:59.999999 UTC, so every display of it
    (``2027-01-31T23:59:59Z``) names the day the user gave, not the next one's midnight.
    It must be in the future and at most ``MAX_DAYS`` ahead.
    """
    until = parse_datetime(text, "until")
    if len(text.strip()) == 10:
        until += END_OF_DAY  # through the end of the day given
    if until <= now:
        raise InputError(f"until: {text.strip()} is not in the future")
    if until > now + timedelta(days=MAX_DAYS):
        raise InputError(
            f"until: {text.strip()} is more than {MAX_DAYS} days ahead",
            hint="accept for at most a year, then look at the risk again",
        )
    return until


def _record(row: Any) -> Acceptance:
    return Acceptance(
        id=row.id,
        finding_id=row.finding_id,
        kind=row.kind,
        severity=Severity.parse(row.severity),
        note=row.note,
        at=row.accepted_at,
        by=row.accepted_by,
        until=row.expires_at,
        revoked_at=row.revoked_at,
        revoked_by=row.revoked_by,
    )


def live_acceptances(conn: Connection, now: datetime) -> dict[str, Acceptance]:
    """Finding id -> the acceptance in force at ``now`` (not withdrawn, not expired)."""
    table = _ACCEPTANCES.c
    query = select(_ACCEPTANCES).where(table.revoked_at.is_(None), table.expires_at > now)
    return {row.finding_id: _record(row) for row in conn.execute(query)}


def list_acceptances(
    conn: Connection, now: datetime, *, include_ended: bool = False
) -> list[Acceptance]:
    """Acceptances in force at ``now`` (or every one ever made), by expiry."""
    table = _ACCEPTANCES.c
    query = select(_ACCEPTANCES).order_by(table.expires_at, table.id)
    if not include_ended:
        query = query.where(table.revoked_at.is_(None), table.expires_at > now)
    return [_record(row) for row in conn.execute(query)]


def apply_acceptances(
    findings: Iterable[Finding], live: dict[str, Acceptance]
) -> Iterator[Finding]:
    """Mark each finding covered by a live acceptance, unless it got worse since."""
    for finding in findings:
        acceptance = live.get(finding.id) if live else None
        if acceptance is not None and finding.severity <= acceptance.severity:
            yield dataclasses.replace(finding, accepted=acceptance)
        else:
            yield finding


def _current(ctx: FindingContext, fid: str) -> Severity:
    """The worst severity the finding ``fid`` has now; NotFoundError when it does not fire."""
    kind = fid.split(":", 1)[0]
    worst: Severity | None = None
    for finding in collect_findings(ctx):
        if finding.kind == kind and finding.id == fid:
            worst = finding.severity if worst is None else max(worst, finding.severity)
    if worst is None:
        raise NotFoundError(
            f"no current finding {fid}",
            hint="only a finding the access report shows now can be accepted",
        )
    return worst


def accept(
    conn: Connection,
    clock: Clock,
    settings: Settings,
    *,
    finding: str,
    until: str,
    note: str,
    actor: str,
) -> Acceptance:
    """Accept the current finding ``finding`` until ``until`` with a note; audited."""
    now = clock.now()
    fid = parse_finding_id(finding)
    ends = parse_until(until, now)
    text = check_text(note, "--reason", max_length=MAX_NOTE)
    if not text:
        raise InputError("--reason: say why the risk is accepted")
    live = live_acceptances(conn, now).get(fid)
    if live is not None:
        raise ConflictError(
            f"{fid} is already accepted until {stamp(live.until)} by {live.by}",
            hint=f"withdraw it first: accessguard report unaccept {fid}",
        )
    severity = _current(FindingContext(conn, settings, now), fid)
    values = {
        "finding_id": fid,
        "kind": fid.split(":", 1)[0],
        "severity": severity.label,
        "note": text,
        "accepted_at": now,
        "accepted_by": actor,
        "expires_at": ends,
        "revoked_at": None,
        "revoked_by": None,
    }
    new_id = conn.execute(
        insert(_ACCEPTANCES).values(**values).returning(_ACCEPTANCES.c.id)
    ).scalar_one()
    record(
        conn,
        clock,
        actor=actor,
        action=AuditAction.FINDING_ACCEPT,
        target_type="finding",
        target=fid,
        details={
            "acceptance": new_id,
            "severity": severity.label,
            "until": ends.isoformat(),
            "note": text,
        },
    )
    return _record(conn.execute(select(_ACCEPTANCES).where(_ACCEPTANCES.c.id == new_id)).one())


def unaccept(conn: Connection, clock: Clock, *, finding: str, actor: str) -> Acceptance:
    """Withdraw the live acceptance of ``finding``: it counts again from now; audited."""
    now = clock.now()
    fid = parse_finding_id(finding)
    live = live_acceptances(conn, now).get(fid)
    if live is None:
        raise NotFoundError(f"{fid} has no acceptance in force")
    conn.execute(
        update(_ACCEPTANCES)
        .where(_ACCEPTANCES.c.id == live.id)
        .values(revoked_at=now, revoked_by=actor)
    )
    record(
        conn,
        clock,
        actor=actor,
        action=AuditAction.FINDING_UNACCEPT,
        target_type="finding",
        target=fid,
        details={"acceptance": live.id, "was_until": live.until.isoformat()},
    )
    return dataclasses.replace(live, revoked_at=now, revoked_by=actor)
