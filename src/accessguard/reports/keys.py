"""Who holds the keys: for each shared login, who can read it, who saw it, and where its seed is.

Four set-based queries (credentials, Vault group memberships, observed exposures of the
current version, TOTP keys) joined in memory by account; no per-credential queries.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from accessguard.credentials.models import Credential, Exposure, TotpKey, VaultMembership
from accessguard.credentials.status import iso
from accessguard.inventory.models import Account, Person
from accessguard.reports.findings.base import age_days


def keys_report(session: Session, now: datetime) -> list[dict[str, Any]]:
    """One row per credential (stable JSON shape)."""
    readers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for account_id, email, added in session.execute(
        select(VaultMembership.account_id, Person.email, VaultMembership.added_at)
        .join(Person, Person.id == VaultMembership.person_id)
        .where(VaultMembership.removed_at.is_(None))
        .order_by(VaultMembership.account_id, Person.email)
    ):
        readers[account_id].append({"person": email, "since": iso(added)})
    seen: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for credential_id, email, kind, count, last in session.execute(
        select(
            Credential.id,
            Person.email,
            Exposure.kind,
            func.count(),
            func.max(Exposure.occurred_at),
        )
        .join(
            Credential,
            and_(
                Credential.id == Exposure.credential_id,
                Credential.current_version == Exposure.version,
            ),
        )
        .join(Person, Person.id == Exposure.person_id)
        .group_by(Credential.id, Person.email, Exposure.kind)
        .order_by(Credential.id, Person.email)
    ):
        seen[credential_id].append(
            {"person": email, "kind": kind, "times": int(count), "last": iso(last)}
        )
    seeds: dict[int, TotpKey] = {
        key.account_id: key
        for key in session.execute(select(TotpKey).where(TotpKey.retired_at.is_(None))).scalars()
    }
    rows = []
    for credential, name, platform in session.execute(
        select(Credential, Account.name, Account.platform)
        .join(Account, Account.id == Credential.account_id)
        .order_by(Account.name)
    ):
        rotated = credential.rotated_at
        rows.append(
            {
                "account": name,
                "platform": platform,
                "vault_path": credential.vault_path,
                "current_version": credential.current_version,
                "state": credential.state,
                "last_rotated_at": iso(rotated),
                "last_rotated_by": credential.rotated_by,
                "age_days": age_days(now, rotated or credential.created_at),
                "readers": readers.get(credential.account_id, []),
                "seen_current_version_by": seen.get(credential.id, []),
                "totp": _seed(seeds.get(credential.account_id)),
            }
        )
    return rows


def _seed(key: TotpKey | None) -> dict[str, Any]:
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
