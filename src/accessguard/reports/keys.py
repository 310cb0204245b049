"""Who holds the keys: for each shared login, who can read it, who saw it, and where its seed is.

Set-based queries (credentials, Vault group memberships, observed exposures of the
current version, backup codes and recovery details seen and unchanged since, TOTP keys
and who saw their current seed) joined in memory by account; no per-credential queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from accessguard.credentials.exposure import SEED_KINDS, exposed_fields
from accessguard.credentials.fields import ALL, TOTP_SEED
from accessguard.credentials.status import iso
from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import credentials as _CREDENTIALS
from accessguard.db.tables import exposures as _EXPOSURES
from accessguard.db.tables import people as _PEOPLE
from accessguard.db.tables import totp_keys as _TOTP
from accessguard.db.tables import vault_memberships as _MEMBERSHIPS
from accessguard.reports.findings.base import age_days


@dataclass(frozen=True, slots=True)
class SeedRecord:
    """A live 2FA seed as the keys report reads it."""

    account_id: int
    key_name: str
    enrolled_at: datetime
    exported: bool
    exported_at: datetime | None
    exported_by: str | None
    personal_device: bool


_SEED_COLUMNS = [_TOTP.c[name] for name in SeedRecord.__slots__]


def keys_report(session: Connection, now: datetime) -> list[dict[str, Any]]:
    """One row per credential (stable JSON shape)."""
    rows = []
    readers, seen, seeds = _readers(session), _seen(session), _seeds(session)
    fields, seed_seen = _fields_seen(session), _seed_seen(session)
    accounts, creds = _ACCOUNTS.c, _CREDENTIALS.c
    for cred in session.execute(
        select(
            creds.id,
            creds.account_id,
            creds.vault_path,
            creds.current_version,
            creds.state,
            creds.rotated_at,
            creds.rotated_by,
            creds.created_at,
            accounts.name,
            accounts.platform,
        )
        .join(_ACCOUNTS, accounts.id == creds.account_id)
        .order_by(accounts.name)
    ):
        rows.append(
            {
                "account": cred.name,
                "platform": cred.platform,
                "vault_path": cred.vault_path,
                "current_version": cred.current_version,
                "state": cred.state,
                "last_rotated_at": iso(cred.rotated_at),
                "last_rotated_by": cred.rotated_by,
                "age_days": age_days(now, cred.rotated_at or cred.created_at),
                "readers": readers.get(cred.account_id, []),
                "seen_current_version_by": seen.get(cred.id, []),
                "fields_seen": fields.get(cred.id, []),
                "totp": {
                    **_seed(seeds.get(cred.account_id)),
                    "seen_by": seed_seen.get(cred.account_id, []),
                },
            }
        )
    return rows


def _readers(session: Connection) -> dict[int, list[dict[str, Any]]]:
    """Who can read each account's shared login now (Vault group members), by account id."""
    members, people = _MEMBERSHIPS.c, _PEOPLE.c
    readers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for account_id, email, added in session.execute(
        select(members.account_id, people.email, members.added_at)
        .join(_PEOPLE, people.id == members.person_id)
        .where(members.removed_at.is_(None))
        .order_by(members.account_id, people.email)
    ):
        readers[account_id].append({"person": email, "since": iso(added)})
    return readers


def _seen(session: Connection) -> dict[int, list[dict[str, Any]]]:
    """Who saw each credential's current version, how and when last, by credential id."""
    creds, exposures, people = _CREDENTIALS.c, _EXPOSURES.c, _PEOPLE.c
    seen: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for credential_id, email, kind, count, last in session.execute(
        select(
            creds.id, people.email, exposures.kind, func.count(), func.max(exposures.occurred_at)
        )
        .select_from(_EXPOSURES)
        .join(
            _CREDENTIALS,
            and_(creds.id == exposures.credential_id, creds.current_version == exposures.version),
        )
        .join(_PEOPLE, people.id == exposures.person_id)
        .group_by(creds.id, people.email, exposures.kind)
        .order_by(creds.id, people.email)
    ):
        seen[credential_id].append(
            {"person": email, "kind": kind, "times": int(count), "last": iso(last)}
        )
    return seen


def _fields_seen(session: Connection) -> dict[int, list[dict[str, Any]]]:
    """Backup codes and recovery details people saw and that have not changed since."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for exposure in exposed_fields(session):
        entry = exposure.to_dict()
        del entry["account"]
        out[exposure.credential_id].append(entry)
    return out


def _seed_seen(session: Connection) -> dict[int, list[dict[str, Any]]]:
    """Who saw each account's current (or pending) 2FA seed, shown or pasted, by account id."""
    keys, exposures, people = _TOTP.c, _EXPOSURES.c, _PEOPLE.c
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for account_id, email, status, kind, last in session.execute(
        select(
            keys.account_id,
            people.email,
            people.status,
            exposures.kind,
            func.max(exposures.occurred_at),
        )
        .select_from(_EXPOSURES)
        .join(_TOTP, keys.id == exposures.totp_key_id)
        .join(_PEOPLE, people.id == exposures.person_id)
        .where(
            keys.retired_at.is_(None),
            exposures.kind.in_(SEED_KINDS),
            exposures.field.in_((TOTP_SEED, ALL)),
            or_(
                exposures.version == keys.generation,
                exposures.version == keys.pending_generation,
            ),
        )
        .group_by(keys.account_id, people.email, people.status, exposures.kind)
        .order_by(keys.account_id, people.email)
    ):
        out[account_id].append({"person": email, "status": status, "kind": kind, "last": iso(last)})
    return out


def _seeds(session: Connection) -> dict[int, SeedRecord]:
    """Each account's live 2FA seed, by account id."""
    query = select(*_SEED_COLUMNS).where(_TOTP.c.retired_at.is_(None))
    return {row.account_id: SeedRecord(*row) for row in session.execute(query)}


def _seed(key: SeedRecord | None) -> dict[str, Any]:
    """Where the 2FA seed is: Vault only, also exported, on a personal phone, or nowhere."""
    if key is None:
        return {"where": "none (no 2FA seed in Vault)", "in_vault": False}
    places = ["vault"]
    if key.exported:
        places.append(f"exported by {key.exported_by or 'unknown'}")
    if key.personal_device:
        places.append("personal device")
    return {
        "where": " + ".join(places),
        "in_vault": True,
        "key": key.key_name,
        "enrolled_at": iso(key.enrolled_at),
        "exported": bool(key.exported),
        "exported_at": iso(key.exported_at),
        "personal_device": bool(key.personal_device),
    }
