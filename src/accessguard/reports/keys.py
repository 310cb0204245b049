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

from accessguard.inventory.models import Account, Person
from accessguard.reports.findings.base import age_days
from accessguard.reports.findings.optional import credential_models


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def keys_report(session: Session, now: datetime) -> list[dict[str, Any]]:
    """One row per credential (stable JSON shape); empty without the credentials layer."""
    models = credential_models()
    if models is None:
        return []
    cred, member, exposure, totp = (
        models.Credential,
        models.VaultMembership,
        models.Exposure,
        models.TotpKey,
    )
    readers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for account_id, email, added in session.execute(
        select(member.account_id, Person.email, member.added_at)
        .join(Person, Person.id == member.person_id)
        .where(member.removed_at.is_(None))
        .order_by(member.account_id, Person.email)
    ):
        readers[account_id].append({"person": email, "since": _iso(added)})
    seen: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for credential_id, email, kind, count, last in session.execute(
        select(
            exposure.credential_id,
            Person.email,
            exposure.kind,
            func.count(),
            func.max(exposure.occurred_at),
        )
        .join(
            cred, and_(cred.id == exposure.credential_id, cred.current_version == exposure.version)
        )
        .join(Person, Person.id == exposure.person_id)
        .group_by(exposure.credential_id, Person.email, exposure.kind)
        .order_by(exposure.credential_id, Person.email)
    ):
        seen[credential_id].append(
            {"person": email, "kind": kind, "times": int(count), "last": _iso(last)}
        )
    seeds: dict[int, Any] = {
        key.account_id: key
        for key in session.execute(select(totp).where(totp.retired_at.is_(None))).scalars()
    }
    rows = []
    for credential, name, platform in session.execute(
        select(cred, Account.name, Account.platform)
        .join(Account, Account.id == cred.account_id)
        .order_by(Account.name)
    ):
        rotated = credential.rotated_at
        rows.append(
            {
                "account": name,
                "platform": platform,
                "vault_path": getattr(credential, "vault_path", None),
                "current_version": credential.current_version,
                "state": credential.state,
                "last_rotated_at": _iso(rotated),
                "last_rotated_by": getattr(credential, "rotated_by", None),
                "age_days": age_days(now, rotated or credential.created_at),
                "readers": readers.get(credential.account_id, []),
                "seen_current_version_by": seen.get(credential.id, []),
                "totp": _seed(seeds.get(credential.account_id)),
            }
        )
    return rows


def _seed(key: Any) -> dict[str, Any]:
    """Where the 2FA seed is: Vault only, also exported, on a personal phone, or nowhere."""
    if key is None:
        return {"where": "none (no 2FA seed in Vault)", "in_vault": False}
    places = ["vault"]
    if key.exported:
        places.append(f"exported by {getattr(key, 'exported_by', None) or 'unknown'}")
    if key.personal_device:
        places.append("personal device")
    return {
        "where": " + ".join(places),
        "in_vault": True,
        "key": getattr(key, "key_name", None) or getattr(key, "name", None),
        "enrolled_at": _iso(getattr(key, "enrolled_at", None)),
        "exported": bool(key.exported),
        "exported_at": _iso(getattr(key, "exported_at", None)),
        "personal_device": bool(key.personal_device),
    }
