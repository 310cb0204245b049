"""``accounts import-grants``: add grants from a CSV, all or nothing; existing ones are kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, select

from accessguard.clock import Clock
from accessguard.db.tables import grants as _GRANTS
from accessguard.inventory.accounts import list_accounts
from accessguard.inventory.csvinput import (
    Change,
    Problems,
    Row,
    iso,
    optional_value,
    read_rows,
    required_value,
)
from accessguard.inventory.grants import add_grant
from accessguard.inventory.people import list_people
from accessguard.inventory.suggestions import close_names
from accessguard.inventory.validation import (
    check_choice,
    check_email,
    check_text,
    optional_text,
    parse_datetime,
)
from accessguard.inventory.vocab import GRANT_VIAS

GRANT_REQUIRED = ("person", "account", "role", "via")
GRANT_OPTIONAL = ("expires", "reason", "ticket")


@dataclass(frozen=True)
class _GrantRow:
    line: int
    person: str
    account: str
    role: str
    via: str
    expires: datetime | None
    reason: str | None
    ticket: str | None


def _parse_grant(problems: Problems, row: Row, now: datetime) -> _GrantRow | None:
    before = len(problems.items)
    person = problems.check(row, "person", lambda v: check_email(v, "person"))
    account = problems.check(row, "account", required_value("account"))
    role = problems.check(
        row, "role", lambda v: required_value("role")(check_text(v, "role", max_length=60))
    )
    reason = problems.check(
        row, "reason", lambda v: optional_text(v, "reason", max_length=2000, multiline=True)
    )
    ticket = problems.check(row, "ticket", lambda v: optional_text(v, "ticket", max_length=120))
    via = problems.check(row, "via", lambda v: check_choice(v, GRANT_VIAS, "via"))
    expires = problems.check(row, "expires", optional_value(lambda v: parse_datetime(v, "expires")))
    if expires is not None and expires <= now:
        problems.add(row.line, "expires", f"{row.get('expires')} is not in the future")
    if len(problems.items) > before or not (person and account and role and via):
        return None
    return _GrantRow(
        row.line,
        person,
        account,
        role.lower(),
        via,
        expires,
        reason,
        ticket,
    )


def import_grants(
    conn: Connection, clock: Clock, actor: str, path: Path, *, dry_run: bool = False
) -> list[Change]:
    """Add grants (person,account,role,via[,expires,reason,ticket]); existing ones are kept."""
    problems, rows = read_rows(path, required=GRANT_REQUIRED, optional=GRANT_OPTIONAL)
    now = clock.now()
    people = {p.email: p for p in list_people(conn)}
    accounts = list_accounts(conn, archived=True)
    # Names are case-insensitive (stored lower-case); platform:handle as written.
    by_ref = {a.name.lower(): a for a in accounts} | {
        f"{a.platform}:{a.handle}": a for a in accounts
    }
    active = {
        (r.person_id, r.account_id, r.role, r.via)
        for r in conn.execute(
            select(_GRANTS.c.person_id, _GRANTS.c.account_id, _GRANTS.c.role, _GRANTS.c.via).where(
                _GRANTS.c.revoked_at.is_(None)
            )
        )
    }
    seen: dict[tuple[str, str, str, str], int] = {}
    plan: list[tuple[Change, _GrantRow]] = []
    for row in rows:
        grant = _parse_grant(problems, row, now)
        if grant is None:
            continue
        person = people.get(grant.person)
        account = by_ref.get(grant.account) or by_ref.get(grant.account.lower())
        if person is None:
            problems.add(row.line, "person", f"unknown person {grant.person} (import people first)")
            continue
        if account is None:
            close = close_names(grant.account, (a.name for a in accounts))
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.add(row.line, "account", f"unknown account {grant.account!r}{hint}")
            continue
        if person.status == "departed":
            problems.add(row.line, "person", f"{person.email} has departed")
            continue
        if account.archived_at is not None:
            problems.add(row.line, "account", f"{account.name} is archived (takes no new grants)")
            continue
        key = (person.email, account.name, grant.role, grant.via)
        if key in seen:
            problems.add(row.line, "role", f"the same grant already appears on row {seen[key]}")
            continue
        seen[key] = row.line
        if (person.id, account.id, grant.role, grant.via) in active:
            continue
        fields = {
            "role": [None, grant.role],
            "via": [None, grant.via],
            "expires": [None, iso(grant.expires)],
            "reason": [None, grant.reason],
            "ticket": [None, grant.ticket],
        }
        target = f"{person.email}@{account.name}"
        plan.append((Change("grant", "add", target, fields, row.line), grant))
    problems.raise_if_any()
    if not dry_run:
        for _, grant in plan:
            add_grant(
                conn,
                clock,
                actor,
                person_email=grant.person,
                account_ref=(by_ref.get(grant.account) or by_ref[grant.account.lower()]).name,
                role=grant.role,
                via=grant.via,
                expires_at=grant.expires,
                reason=grant.reason,
                ticket=grant.ticket,
            )
    return [change for change, _ in plan]
