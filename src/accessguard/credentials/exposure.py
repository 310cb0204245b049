"""Exposure: who saw which field of which version (observed) and who could have read it (possible).

Possible exposure of a credential's current value follows from the person's Vault
group membership history and shared-login grants overlapping the time that value
was current (a rollback's version counts as the version it restored, and a version
that left the password as it was counts as the one before it). Backup codes and
recovery details a person saw stay current until a version changes that field
(``fields.py``); a 2FA seed a person saw, shown or pasted, until it is re-enrolled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.credentials.fields import ALL, MANUAL_FIELDS, PASSWORD, TOTP_SEED
from accessguard.db import tables
from accessguard.inventory.records import AccountRecord, PersonRecord

Interval = tuple[datetime, datetime | None]

#: Exposure kinds of a 2FA seed itself (``seed-export``: rows written before 0010).
SEED_KINDS = ("seed-shown", "seed-pasted", "seed-export")


@dataclass(frozen=True)
class ExposedCredential:
    """A credential whose current value ``person`` could know."""

    credential_id: int
    account_id: int
    account_name: str
    version: int
    observed: bool
    possible: bool = True
    via: tuple[str, ...] = ()
    platform: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "credential_id": self.credential_id,
            "account_id": self.account_id,
            "account": self.account_name,
            "version": self.version,
            "observed": self.observed,
            "possible": self.possible,
            "via": list(self.via),
        }


def record_exposure(
    conn: Connection,
    clock: Clock,
    *,
    person: PersonRecord,
    kind: str,
    fields: Sequence[str],
    version: int,
    actor: str,
    account: AccountRecord,
    reason: str | None = None,
    credential_id: int | None = None,
    totp_key_id: int | None = None,
    run_id: str | None = None,
) -> None:
    """Record that ``person`` saw ``fields`` of ``version`` of a credential or a seed (never
    the values): one row per field, one audit event."""
    now = clock.now()
    conn.execute(
        insert(tables.exposures),
        [
            {
                "person_id": person.id,
                "credential_id": credential_id,
                "totp_key_id": totp_key_id,
                "kind": kind,
                "field": name,
                "version": version,
                "occurred_at": now,
                "reason": reason,
                "run_id": run_id,
                "actor": actor,
            }
            for name in fields
        ],
    )
    record(
        conn,
        clock,
        actor=actor,
        action=AuditAction.exposure(kind),
        target_type="credential" if credential_id is not None else "totp",
        target=account.name,
        run_id=run_id,
        details={
            "person": person.email,
            "version": version,
            "fields": list(fields),
            "reason": reason,
        },
    )


def _overlaps(start: datetime, end: datetime | None, intervals: list[Interval]) -> bool:
    for v_start, v_end in intervals:
        if (end is None or end > v_start) and (v_end is None or start < v_end):
            return True
    return False


def _equivalent(rows: dict[int, Any], version: int, same_password: set[int]) -> list[int]:
    """``version`` and the versions holding the same password: those it restored, and the
    one before a version that left the password as it was (``creds set --field``)."""
    chain, todo = [version], [version]
    while todo:
        row = rows.get(todo.pop())
        if row is None:
            continue
        earlier = [row.restored_from]
        if row.version in same_password:
            earlier.append(max((v for v in rows if v < row.version), default=None))
        for older in earlier:
            if older and older not in chain:
                chain.append(older)
                todo.append(older)
    return chain


def _same_password(conn: Connection) -> dict[int, set[int]]:
    """Versions written by ``creds set`` that left the password unchanged, by credential."""
    writes = tables.credential_field_writes.c
    tracked: dict[int, dict[int, bool]] = defaultdict(dict)
    for credential_id, version, field, changed in conn.execute(
        select(writes.credential_id, writes.version, writes.field, writes.changed)
    ):
        versions = tracked[credential_id]
        versions[version] = versions.get(version, False) or (field == PASSWORD and changed)
    return {
        cid: {v for v, changed in versions.items() if not changed}
        for cid, versions in tracked.items()
    }


def exposed_credentials(
    conn: Connection, person_id: int, *, observed_only: bool = False
) -> list[ExposedCredential]:
    """Credentials whose CURRENT value the person could know (possible) or saw (observed)."""
    # Plain rows of the columns used: this reads every credential and every version.
    credentials, accounts = tables.credentials.c, tables.accounts.c
    creds = conn.execute(
        select(
            credentials.id,
            credentials.current_version,
            credentials.created_at,
            accounts.id.label("account_id"),
            accounts.name.label("account_name"),
            accounts.platform,
        ).join(tables.accounts, accounts.id == credentials.account_id)
    ).all()
    if not creds:
        return []
    same_password = _same_password(conn)
    versions: dict[int, dict[int, Any]] = defaultdict(dict)
    cv = tables.credential_versions.c
    for row in conn.execute(
        select(cv.credential_id, cv.version, cv.restored_from, cv.created_at, cv.superseded_at)
    ):
        versions[row.credential_id][row.version] = row
    seen: dict[int, set[int]] = defaultdict(set)
    exposures = tables.exposures.c
    for credential_id, version in conn.execute(
        select(exposures.credential_id, exposures.version).where(
            exposures.person_id == person_id,
            exposures.credential_id.is_not(None),
            exposures.field.in_((PASSWORD, ALL)),
        )
    ):
        seen[credential_id or 0].add(version)
    access: dict[int, list[tuple[str, datetime, datetime | None]]] = defaultdict(list)
    memberships = tables.vault_memberships.c
    for account_id, added_at, removed_at in conn.execute(
        select(memberships.account_id, memberships.added_at, memberships.removed_at).where(
            memberships.person_id == person_id
        )
    ):
        access[account_id].append(("vault-group", added_at, removed_at))
    grants = tables.grants.c
    for account_id, granted_at, revoked_at in conn.execute(
        select(grants.account_id, grants.granted_at, grants.revoked_at).where(
            grants.person_id == person_id, grants.via == "shared-login"
        )
    ):
        access[account_id].append(("shared-login", granted_at, revoked_at))

    out: list[ExposedCredential] = []
    for cred in creds:
        rows = versions.get(cred.id, {})
        chain = _equivalent(rows, cred.current_version, same_password.get(cred.id, set()))
        observed = any(v in seen.get(cred.id, set()) for v in chain)
        intervals: list[Interval] = [
            (rows[v].created_at, rows[v].superseded_at) for v in chain if v in rows
        ]
        if cred.current_version not in rows:
            intervals.append((cred.created_at, None))
        via = tuple(
            sorted(
                {
                    kind
                    for kind, start, end in access.get(cred.account_id, [])
                    if _overlaps(start, end, intervals)
                }
            )
        )
        possible = bool(via)
        if observed or (possible and not observed_only):
            out.append(
                ExposedCredential(
                    credential_id=cred.id,
                    account_id=cred.account_id,
                    account_name=cred.account_name,
                    version=cred.current_version,
                    observed=observed,
                    possible=possible,
                    via=via + (("observed",) if observed else ()),
                    platform=cred.platform,
                )
            )
    return sorted(out, key=lambda e: e.account_name)


@dataclass(frozen=True, slots=True)
class FieldExposure:
    """A field other than the password (backup codes, recovery details) a person saw, whose
    value has not changed since: ``version`` is the latest version they saw it in."""

    credential_id: int
    account_id: int
    account_name: str
    platform: str
    field: str
    version: int
    person: str
    kind: str
    last: datetime

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "account": self.account_name,
            "field": self.field,
            "version": self.version,
            "person": self.person,
            "kind": self.kind,
            "last": self.last.isoformat(),
        }


def exposed_fields(conn: Connection, person_id: int | None = None) -> list[FieldExposure]:
    """Backup codes and recovery details seen (by ``person_id``, or anyone) and unchanged since."""
    e, a, c, p = tables.exposures.c, tables.accounts.c, tables.credentials.c, tables.people.c
    w = tables.credential_field_writes.c
    renewed = {
        (cid, field): int(version)
        for cid, field, version in conn.execute(
            select(w.credential_id, w.field, func.max(w.version))
            .where(w.changed.is_(True))
            .group_by(w.credential_id, w.field)
        )
    }
    query = (
        select(
            e.credential_id,
            e.field,
            e.version,
            e.kind,
            e.occurred_at,
            p.email,
            a.id,
            a.name,
            a.platform,
        )
        .join(tables.credentials, c.id == e.credential_id)
        .join(tables.accounts, a.id == c.account_id)
        .join(tables.people, p.id == e.person_id)
        .where(e.field.in_((*MANUAL_FIELDS, ALL)))
    )
    if person_id is not None:
        query = query.where(e.person_id == person_id)
    found: dict[tuple[int, str, str], FieldExposure] = {}
    for row in conn.execute(query):
        for field in MANUAL_FIELDS if row.field == ALL else (row.field,):
            if renewed.get((row.credential_id, field), 0) > row.version:
                continue
            key = (row.credential_id, field, row.email)
            seen = found.get(key)
            if seen is None or (row.version, row.occurred_at) > (seen.version, seen.last):
                found[key] = FieldExposure(
                    row.credential_id,
                    row.id,
                    row.name,
                    row.platform,
                    field,
                    row.version,
                    row.email,
                    row.kind,
                    row.occurred_at,
                )
    return sorted(found.values(), key=lambda f: (f.account_name, f.field, f.person))


@dataclass(frozen=True, slots=True)
class ExportedSeed:
    """An account whose current or pending 2FA seed a person saw (shown to them or pasted)."""

    id: int
    name: str
    platform: str


def exported_seed_accounts(conn: Connection, person_id: int) -> list[ExportedSeed]:
    """Accounts whose current or pending 2FA seed the person saw (shown or pasted), by name."""
    keys, accounts, exposures = tables.totp_keys.c, tables.accounts.c, tables.exposures.c
    rows = conn.execute(
        select(
            accounts.id,
            accounts.name,
            accounts.platform,
            keys.generation,
            keys.pending_generation,
            exposures.version,
        )
        .join(tables.accounts, accounts.id == keys.account_id)
        .join(tables.exposures, exposures.totp_key_id == keys.id)
        .where(
            exposures.person_id == person_id,
            exposures.kind.in_(SEED_KINDS),
            exposures.field.in_((TOTP_SEED, ALL)),
            keys.retired_at.is_(None),
        )
    ).all()
    found = {
        r.id: ExportedSeed(r.id, r.name, r.platform)
        for r in rows
        if r.version in (r.generation, r.pending_generation)
    }
    return sorted(found.values(), key=lambda a: a.name)
