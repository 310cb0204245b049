"""Risk acceptances on in-memory SQLite: accept, list, lapse at expiry or when worse, withdraw."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Connection

from accessguard.clock import FixedClock
from accessguard.config import CompanySettings, Settings
from accessguard.db import tables
from accessguard.errors import ConflictError, InputError, NotFoundError
from accessguard.reports.acceptances import (
    accept,
    apply_acceptances,
    list_acceptances,
    live_acceptances,
    unaccept,
)
from accessguard.reports.findings import Finding, Severity, collect_findings
from accessguard.reports.findings.base import Acceptance, FindingContext
from support import rows
from support.rows import NOW

SETTINGS = Settings(company=CompanySettings(domains=["example.com"]))
ORPHAN = "no-admin:account:brand"
ACTOR = "lead@example.com"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def orphan(conn: Connection) -> Connection:
    """An account with no admin (high) and an editor; nothing else is wrong with it."""
    rows.person(conn, "ed@example.com")
    account = rows.account(conn, "brand", "facebook")
    rows.totp_key(conn, account)
    rows.grant(conn, "ed@example.com", "brand", "editor")
    return conn


def _accept(conn: Connection, clock: FixedClock, finding: str = ORPHAN, **kw: str) -> Acceptance:
    options = {"until": "2026-11-30", "note": "agency runs it until the handover", **kw}
    return accept(conn, clock, SETTINGS, finding=finding, actor=ACTOR, **options)


def _report(conn: Connection, clock: FixedClock) -> list[Finding]:
    ctx = FindingContext(conn, SETTINGS, clock.now())
    live = live_acceptances(conn, clock.now())
    return [f for f in apply_acceptances(collect_findings(ctx), live) if f.id == ORPHAN]


def test_a_finding_id_is_kind_and_subject() -> None:
    finding = Finding("no-admin", Severity.HIGH, "account", "brand", "m", account="brand")
    assert finding.to_dict()["id"] == ORPHAN


def test_an_accepted_finding_is_marked_with_who_until_and_why(
    orphan: Connection, clock: FixedClock
) -> None:
    _accept(orphan, clock)
    [finding] = _report(orphan, clock)
    assert finding.accepted is not None
    assert (finding.accepted.by, finding.accepted.note) == (
        ACTOR,
        "agency runs it until the handover",
    )


def test_a_date_covers_that_whole_day(orphan: Connection, clock: FixedClock) -> None:
    accepted = _accept(orphan, clock)
    assert accepted.until == NOW.replace(day=30, hour=23, minute=59, second=59, microsecond=999999)


def test_the_acceptance_lapses_at_expiry(orphan: Connection, clock: FixedClock) -> None:
    _accept(orphan, clock)
    clock.advance(timedelta(days=29))  # 2026-12-01 09:00, past the end of 2026-11-30
    [finding] = _report(orphan, clock)
    assert finding.accepted is None


def test_a_finding_worse_than_accepted_is_not_covered() -> None:
    accepted_medium = Finding("single-admin", Severity.MEDIUM, "account", "brand", "m")
    worse = Finding("single-admin", Severity.HIGH, "account", "brand", "m")
    live = {accepted_medium.id: _acceptance_of(accepted_medium)}
    [marked] = apply_acceptances([worse], live)
    assert marked.accepted is None


def _acceptance_of(finding: Finding):
    from accessguard.reports.findings.base import Acceptance

    return Acceptance(
        id=1,
        finding_id=finding.id,
        kind=finding.kind,
        severity=finding.severity,
        note="n",
        at=NOW,
        by=ACTOR,
        until=NOW + timedelta(days=1),
    )


def test_accepting_is_audited(orphan: Connection, clock: FixedClock) -> None:
    _accept(orphan, clock)
    events = orphan.execute(
        select(tables.audit_events.c.action, tables.audit_events.c.target)
    ).all()
    assert [tuple(e) for e in events] == [("finding.accept", ORPHAN)]


def test_the_acceptance_records_the_severity_accepted(
    orphan: Connection, clock: FixedClock
) -> None:
    assert _accept(orphan, clock).severity is Severity.HIGH


def test_listing_shows_live_acceptances_only_unless_asked(
    orphan: Connection, clock: FixedClock
) -> None:
    _accept(orphan, clock)
    clock.advance(timedelta(days=60))
    assert (
        len(list_acceptances(orphan, clock.now())),
        len(list_acceptances(orphan, clock.now(), include_ended=True)),
    ) == (0, 1)


def test_withdrawing_makes_it_count_again_and_is_audited(
    orphan: Connection, clock: FixedClock
) -> None:
    _accept(orphan, clock)
    unaccept(orphan, clock, finding=ORPHAN, actor=ACTOR)
    [finding] = _report(orphan, clock)
    actions = list(orphan.execute(select(tables.audit_events.c.action)).scalars())
    assert (finding.accepted, actions[-1]) == (None, "finding.unaccept")


def test_a_second_live_acceptance_is_refused(orphan: Connection, clock: FixedClock) -> None:
    _accept(orphan, clock)
    with pytest.raises(ConflictError):
        _accept(orphan, clock)


def test_after_expiry_it_can_be_accepted_again(orphan: Connection, clock: FixedClock) -> None:
    _accept(orphan, clock)
    clock.advance(timedelta(days=40))
    _accept(orphan, clock, until="2027-01-31")
    [finding] = _report(orphan, clock)
    assert finding.accepted is not None


def test_a_finding_that_does_not_fire_cannot_be_accepted(
    orphan: Connection, clock: FixedClock
) -> None:
    with pytest.raises(NotFoundError):
        _accept(orphan, clock, finding="no-admin:account:elsewhere")


@pytest.mark.parametrize(
    "bad",
    [
        {"finding": "no-admin"},
        {"finding": "made-up:account:brand"},
        {"finding": "no-admin:planet:brand"},
        {"until": "2026-11-01"},  # in the past
        {"until": "2028-01-01"},  # more than a year ahead
        {"until": "next week"},
        {"note": "   "},
        {"note": "two\nlines"},
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    orphan: Connection, clock: FixedClock, bad: dict[str, str]
) -> None:
    with pytest.raises(InputError):
        _accept(orphan, clock, **bad)
    assert orphan.execute(select(tables.finding_acceptances)).first() is None


def test_withdrawing_nothing_is_not_found(orphan: Connection, clock: FixedClock) -> None:
    with pytest.raises(NotFoundError):
        unaccept(orphan, clock, finding=ORPHAN, actor=ACTOR)


def test_a_leaver_accepted_before_the_end_date_counts_again_once_it_passes(
    conn: Connection, clock: FixedClock
) -> None:
    """Accepted as medium (end date ahead); past the end date it is high: not covered."""
    rows.person(
        conn, "leaver@example.com", status="leaving", end_date=NOW.date() + timedelta(days=5)
    )
    rows.account(conn, "brand", "facebook")
    rows.grant(conn, "leaver@example.com", "brand", "editor")
    fid = "leaving-holds-access:person:leaver@example.com"
    _accept(conn, clock, finding=fid)
    clock.advance(timedelta(days=6))
    ctx = FindingContext(conn, SETTINGS, clock.now())
    live = live_acceptances(conn, clock.now())
    [finding] = [f for f in apply_acceptances(collect_findings(ctx), live) if f.id == fid]
    assert (finding.severity, finding.accepted) == (Severity.HIGH, None)


def test_the_digest_lists_an_accepted_finding_without_counting_it() -> None:
    from accessguard.reports.delivery import summary_body
    from accessguard.reports.digest import Digest

    finding = Finding("no-admin", Severity.HIGH, "account", "brand", "m", account="brand")
    digest = Digest()
    digest.add(dataclasses.replace(finding, accepted=_acceptance_of(finding)))
    assert (digest.total, digest.at_or_above(Severity.LOW), digest.by_account) == (0, 0, {})
    assert digest.accepted == [dataclasses.replace(finding, accepted=_acceptance_of(finding))]
    assert "1 accepted risk(s), not counted" in summary_body(digest)
