"""The access review report: findings, then one row per account and per person, streamed.

Every section is one grouped query; nothing loads a relationship per row. Sections
must be read in order (findings first) so the rows can carry their finding counts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import Connection, and_, case, func, select

from accessguard.config import Settings
from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import credentials as _CREDENTIALS
from accessguard.db.tables import grants as _GRANTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.inventory.vocab import ADMIN_ROLES
from accessguard.reports.acceptances import apply_acceptances, live_acceptances
from accessguard.reports.digest import Digest, SubjectTally
from accessguard.reports.findings import Finding, FindingContext, collect_findings
from accessguard.reports.findings.accounts import account_facts
from accessguard.reports.findings.base import age_days


def as_utc(value: datetime) -> datetime:
    """An aggregate's datetime as aware UTC (SQLite's MAX() returns it without a zone)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


AGE_BUCKETS: tuple[tuple[str, int], ...] = (
    ("< 30 d", 30),
    ("30-89 d", 90),
    ("90-179 d", 180),
    ("180-364 d", 365),
    ("1 y +", 10**9),
)


class AccessReport:
    """One report run: a fixed 'now', the findings digest, and the row sections."""

    def __init__(
        self, session: Connection, settings: Settings, *, now: datetime, keep_messages: bool = False
    ) -> None:
        self.ctx = FindingContext(session, settings, now)
        self.digest = Digest(keep_messages=keep_messages)
        self._findings_done = False

    @property
    def now(self) -> datetime:
        """The instant the report describes."""
        return self.ctx.now

    def findings(self) -> Iterator[Finding]:
        """Every finding, marked when a live acceptance covers it, streamed into ``digest``."""
        live = live_acceptances(self.ctx.session, self.now)
        yield from self.digest.feed(apply_acceptances(collect_findings(self.ctx), live))
        self._findings_done = True

    def run_findings(self) -> Digest:
        """Consume the findings into the digest only (for people-facing formats)."""
        for _ in self.findings():
            pass
        return self.digest

    def _tally(self, table: dict[str, SubjectTally], key: str) -> dict[str, Any]:
        tally = table.get(key)
        out: dict[str, Any] = {
            "findings": tally.count if tally else 0,
            "worst": tally.worst.label if tally else None,
        }
        if tally and self.digest.keep_messages:
            out["messages"] = [(sev.label, msg) for sev, msg in tally.messages]
        return out

    def accounts(self) -> Iterator[dict[str, Any]]:
        """One row per account: holders, admins, custody, and its findings."""
        ages = self.credential_ages()
        for facts in account_facts(self.ctx):
            yield {
                "name": facts.name,
                "platform": facts.platform,
                "handle": facts.handle,
                "criticality": facts.criticality,
                "owner": facts.owner_email,
                "active_grants": facts.active_grants,
                "people": facts.people,
                "admins": facts.active_admins,
                "shared_logins": facts.shared_logins,
                "has_credential": facts.has_credential,
                "has_2fa_custody": facts.has_totp,
                "credential_age_days": ages.get(facts.name),
                **self._tally(self.digest.by_account, facts.name),
            }

    def people(self, emails: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """One row per person holding access (or just ``emails``), with their findings."""
        people, grants = _PEOPLE.c, _GRANTS.c
        admin = func.sum(case((grants.role.in_(ADMIN_ROLES), 1), else_=0))
        query = (
            select(
                people.email,
                people.name,
                people.kind,
                people.status,
                people.department,
                people.end_date,
                func.count(grants.id),
                func.count(func.distinct(grants.account_id)),
                admin,
            )
            .join(_GRANTS, and_(grants.person_id == people.id, grants.revoked_at.is_(None)))
            .group_by(people.id)
            .order_by(people.email)
            .execution_options(yield_per=5000)
        )
        if emails is not None:
            query = query.where(people.email.in_(list(emails)))
        for (
            email,
            name,
            kind,
            status,
            dept,
            end,
            grants,
            accounts,
            admins,
        ) in self.ctx.session.execute(query):
            yield {
                "email": email,
                "name": name,
                "kind": kind,
                "status": status,
                "department": dept,
                "end_date": end.isoformat() if end else None,
                "active_grants": grants,
                "accounts": accounts,
                "admin_roles": int(admins or 0),
                **self._tally(self.digest.by_person, email),
            }

    def holdings_of(self, emails: Sequence[str]) -> dict[str, list[tuple[str, str, str, str]]]:
        """Active (account, platform, role, via) per person, for a bounded list of people."""
        out: dict[str, list[tuple[str, str, str, str]]] = {e: [] for e in emails}
        if not emails:
            return out
        people, grants, accounts = _PEOPLE.c, _GRANTS.c, _ACCOUNTS.c
        query = (
            select(people.email, accounts.name, accounts.platform, grants.role, grants.via)
            .join(_GRANTS, grants.person_id == people.id)
            .join(_ACCOUNTS, accounts.id == grants.account_id)
            .where(grants.revoked_at.is_(None), people.email.in_(list(emails)))
            .order_by(people.email, accounts.name, grants.role)
        )
        for email, account, platform, role, via in self.ctx.session.execute(query):
            out[email].append((account, platform, role, via))
        return out

    def removal_times(self) -> Iterator[dict[str, Any]]:
        """Per departed person: end date, when the last removal was confirmed, how long it took.

        A grant's removal time is its confirmed platform removal, else when it was ended;
        while any grant is revoke-pending the removal is not done (no time, a count).
        """
        people, grants = _PEOPLE.c, _GRANTS.c
        pending = func.sum(
            case(
                (and_(grants.revoked_at.is_(None), grants.revoke_pending_at.is_not(None)), 1),
                else_=0,
            )
        )
        held = func.sum(case((grants.revoked_at.is_(None), 1), else_=0))
        removed = func.max(func.coalesce(grants.removal_confirmed_at, grants.revoked_at))
        query = (
            select(people.email, people.end_date, removed, pending, held)
            .join(_GRANTS, grants.person_id == people.id)
            .where(people.status == "departed")
            .group_by(people.id, people.email, people.end_date)
            .order_by(people.email)
        )
        for email, end_date, removed_at, pending_count, held_count in self.ctx.session.execute(
            query
        ):
            done = not held_count and removed_at is not None
            days = None
            if done and end_date is not None:
                left = datetime.combine(end_date, time(0), tzinfo=UTC)
                days = round((as_utc(removed_at) - left).total_seconds() / 86400, 1)
            yield {
                "email": email,
                "end_date": end_date.isoformat() if end_date else None,
                "removed_at": as_utc(removed_at).isoformat() if done else None,
                "days_to_removal": days,
                "pending_removals": int(pending_count or 0),
                "grants_held": int(held_count or 0),
            }

    def worst_people(self, limit: int) -> list[str]:
        """Emails of the people with the worst findings first, at most ``limit``."""
        ranked = sorted(
            self.digest.by_person.items(), key=lambda kv: (-kv[1].worst, -kv[1].count, kv[0])
        )
        return [email for email, _ in ranked[:limit]]

    def access_by_platform(self) -> list[tuple[str, int, int]]:
        """(platform, accounts, active grants) for the chart, most grants first."""
        accounts, grants = _ACCOUNTS.c, _GRANTS.c
        query = (
            select(
                accounts.platform,
                func.count(func.distinct(accounts.id)),
                func.count(grants.id),
            )
            .outerjoin(_GRANTS, and_(grants.account_id == accounts.id, grants.revoked_at.is_(None)))
            .group_by(accounts.platform)
        )
        rows = [(p, int(a), int(g)) for p, a, g in self.ctx.session.execute(query)]
        return sorted(rows, key=lambda r: (-r[2], r[0]))

    def credential_ages(self) -> dict[str, int]:
        """Account name -> days since its shared login was last rotated."""
        if "credential_ages" in self.ctx.cache:
            cached: dict[str, int] = self.ctx.cache["credential_ages"]
            return cached
        ages: dict[str, int] = {}
        accounts, creds = _ACCOUNTS.c, _CREDENTIALS.c
        query = (
            select(accounts.name, creds.rotated_at, creds.created_at)
            .select_from(_CREDENTIALS)
            .join(_ACCOUNTS, accounts.id == creds.account_id)
        )
        for name, rotated, created in self.ctx.session.execute(query):
            age = age_days(self.now, rotated or created)
            if age is not None:
                ages[name] = age
        self.ctx.cache["credential_ages"] = ages
        return ages

    def credential_age_buckets(self) -> list[tuple[str, int]]:
        """How many shared logins fall in each age bucket."""
        counts = [0] * len(AGE_BUCKETS)
        for age in self.credential_ages().values():
            for i, (_, upper) in enumerate(AGE_BUCKETS):
                if age < upper:
                    counts[i] += 1
                    break
        return [(label, n) for (label, _), n in zip(AGE_BUCKETS, counts, strict=True)]

    def header(self) -> dict[str, Any]:
        """What the report is about: when, for whom, under which policy."""
        settings = self.ctx.settings
        return {
            "report": "access",
            "generated_at": self.now.isoformat(),
            "company": settings.company.name,
            "policy": {
                "stale_grant_days": settings.policy.stale_grant_days,
                "rotation_days": {
                    c: self.ctx.rotation_days(c) for c in ("low", "medium", "high", "critical")
                },
            },
        }
