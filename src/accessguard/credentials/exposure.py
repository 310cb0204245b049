"""Exposure: who saw which version (observed) and who could have read it (possible).

Possible exposure of a credential's current value follows from the person's Vault
group membership history and shared-login grants overlapping the time that value
was current (a rollback's version counts as the version it restored).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.db import tables
from accessguard.inventory.records import AccountRecord, PersonRecord

Interval = tuple[datetime, datetime | None]


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
    version: int,
    actor: str,
    account: AccountRecord,
    reason: str | None = None,
    credential_id: int | None = None,
    totp_key_id: int | None = None,
    run_id: str | None = None,
) -> None:
    """Record that ``person`` saw ``version`` of a credential or a seed (never the value); audited."""
    conn.execute(
        insert(tables.exposures).values(
            person_id=person.id,
            credential_id=credential_id,
            totp_key_id=totp_key_id,
            kind=kind,
            version=version,
            occurred_at=clock.now(),
            reason=reason,
            run_id=run_id,
            actor=actor,
        )
    )
    record(
        conn,
        clock,
        actor=actor,
        action=AuditAction.exposure(kind),
        target_type="credential" if credential_id is not None else "totp",
        target=account.name,
        run_id=run_id,
        details={"person": person.email, "version": version, "reason": reason},
    )


def _overlaps(start: datetime, end: datetime | None, intervals: list[Interval]) -> bool:
    for v_start, v_end in intervals:
        if (end is None or end > v_start) and (v_end is None or start < v_end):
            return True
    return False


def _equivalent(rows: dict[int, Any], version: int) -> list[int]:
    """``version`` and the versions whose value it restored."""
    chain, seen = [version], {version}
    current = rows.get(version)
    while current is not None and current.restored_from and current.restored_from not in seen:
        chain.append(current.restored_from)
        seen.add(current.restored_from)
        current = rows.get(current.restored_from)
    return chain


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
            exposures.person_id == person_id, exposures.credential_id.is_not(None)
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
        chain = _equivalent(rows, cred.current_version)
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
class ExportedSeed:
    """An account whose current or pending 2FA seed was exported to a person."""

    id: int
    name: str
    platform: str


def exported_seed_accounts(conn: Connection, person_id: int) -> list[ExportedSeed]:
    """Accounts whose current or pending 2FA seed was exported to the person, by name."""
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
            exposures.kind == "seed-export",
            keys.retired_at.is_(None),
        )
    ).all()
    found = {
        r.id: ExportedSeed(r.id, r.name, r.platform)
        for r in rows
        if r.version in (r.generation, r.pending_generation)
    }
    return sorted(found.values(), key=lambda a: a.name)
