"""Who is who on a platform: the keys that match an inventory person to a platform holder."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from accessguard.connectors.base import Holder, Target
from accessguard.errors import ConfigError


def identities(settings: Mapping[str, Any]) -> dict[str, str]:
    """``settings["identities"]``: inventory email -> the person's id or name on the platform."""
    raw = settings.get("identities") or {}
    if not isinstance(raw, Mapping):
        raise ConfigError(
            "connector setting 'identities' must map emails to platform ids",
            hint='for example {"ann@example.com": "1789"}',
            code="connector-settings",
        )
    return {str(k).strip().lower(): str(v) for k, v in raw.items()}


def target_keys(target: Target, settings: Mapping[str, Any]) -> set[str]:
    """Every string that identifies ``target`` on the platform (lower-cased)."""
    keys = {target.email.strip().lower()}
    if target.platform_id:
        keys.add(target.platform_id.strip().lower())
    mapped = identities(settings).get(target.email.strip().lower())
    if mapped:
        keys.add(mapped.strip().lower())
    return keys


def holder_keys(holder: Holder) -> set[str]:
    """Every string that identifies ``holder`` (platform id, email, name; lower-cased)."""
    return {v.strip().lower() for v in (holder.platform_id, holder.email, holder.name) if v}


def find_holder(
    holders: Iterable[Holder], target: Target, settings: Mapping[str, Any]
) -> list[Holder]:
    """The holders that are ``target`` (by email, platform id or the identities mapping)."""
    keys = target_keys(target, settings)
    return [h for h in holders if holder_keys(h) & keys]
