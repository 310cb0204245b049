"""The drift between one account's platform listing and its active grants (pure).

An active holder no active grant accounts for is ``unmanaged``; an active platform-role
or suite-seat grant no active holder accounts for is ``missing`` (shared logins are
invisible to platform APIs). People match by email, by the platform id or name in
``settings.identities``, and holders listed in ``settings.reconcile_ignore`` (the API's
own service user) are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from accessguard.connectors.base import Holder
from accessguard.connectors.matching import holder_keys, identities
from accessguard.reconcile.records import GrantHolder

LISTED_VIAS = ("platform-role", "suite-seat")


def compare(
    settings: Mapping[str, Any], holders: Sequence[Holder], *, grants: Sequence[GrantHolder]
) -> list[dict[str, Any]]:
    """Drift items (``kind``, ``email``, ``platform_id``, ``name``, ``role``, ids) for one account."""
    mapping = identities(settings)
    ignored = {str(v).strip().lower() for v in settings.get("reconcile_ignore") or []}
    active = [h for h in holders if h.active and not (holder_keys(h) & ignored)]
    listed = [g for g in grants if g.via in LISTED_VIAS]

    def person_keys(grant: GrantHolder) -> set[str]:
        keys = {grant.email.lower()}
        if mapped := mapping.get(grant.email.lower()):
            keys.add(mapped.strip().lower())
        return keys

    drift: list[dict[str, Any]] = []
    for holder in active:
        if not any(holder_keys(holder) & person_keys(g) for g in listed):
            drift.append(
                {
                    "kind": "unmanaged",
                    "email": holder.email,
                    "platform_id": holder.platform_id,
                    "name": holder.name,
                    "role": holder.role,
                    "person_id": None,
                    "grant_id": None,
                }
            )
    for grant in listed:
        keys = person_keys(grant)
        if not any(holder_keys(h) & keys for h in active):
            drift.append(
                {
                    "kind": "missing",
                    "email": grant.email,
                    "platform_id": mapping.get(grant.email.lower()),
                    "name": grant.name,
                    "role": grant.role,
                    "person_id": grant.person_id,
                    "grant_id": grant.grant_id,
                }
            )
    return drift
