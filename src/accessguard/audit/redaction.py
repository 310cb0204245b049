"""Keep secret values out of audit details: drop secret-named keys, mask known secrets."""

from __future__ import annotations

from typing import Any

from accessguard.secret import Secret, redact

SECRET_KEYS = frozenset(
    {"password", "secret", "token", "seed", "key", "otp", "code", "backup_codes", "totp", "url"}
)


def redact_details(value: Any) -> Any:
    """Return a JSON-ready copy of ``value`` with secret-looking content masked."""
    if isinstance(value, Secret):
        return "********"
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if str(key).lower() in SECRET_KEYS and item not in (None, "", [], {}):
                out[str(key)] = "********"
            else:
                out[str(key)] = redact_details(item)
        return out
    if isinstance(value, list | tuple | set):
        return [redact_details(item) for item in value]
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(str(value))
