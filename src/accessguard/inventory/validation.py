"""Field rules shared by commands and importers; each failure is a one-line InputError."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime

from accessguard.errors import InputError

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
# Account names become Vault path segments: keep them to a safe, traversal-free set.
ACCOUNT_NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]|\.(?!\.)){0,62}$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


def check_email(value: str, field: str = "email") -> str:
    """A lower-cased, well-formed email."""
    value = value.strip().lower()
    if not EMAIL_RE.match(value):
        raise InputError(f"{field}: {value!r} is not a valid email address")
    return value


def check_choice(value: str, choices: Iterable[str], field: str) -> str:
    """``value`` lower-cased, if it is one of ``choices``."""
    options = tuple(choices)
    clean = value.strip().lower()
    if clean not in options:
        raise InputError(f"{field}: {value!r} is not one of {', '.join(options)}")
    return clean


def check_account_name(value: str) -> str:
    """A slug safe to use as a Vault path segment."""
    if not ACCOUNT_NAME_RE.match(value):
        raise InputError(
            f"account name {value!r} must be 1-63 characters of a-z, 0-9, '-', '_' or '.', "
            "start with a letter or digit, and contain no '..'"
        )
    return value


def check_phone(value: str, field: str = "recovery_phone") -> str:
    """A plausible phone number."""
    value = value.strip()
    if not PHONE_RE.match(value):
        raise InputError(f"{field}: {value!r} is not a phone number")
    return value


def parse_date(value: str, field: str = "date") -> date:
    """An ISO date (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{field}: {value!r} is not a date (YYYY-MM-DD)") from None


def parse_datetime(value: str, field: str = "time") -> datetime:
    """An ISO date or datetime, as aware UTC (a bare date is midnight UTC)."""
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{field}: {value!r} is not a date or time (ISO 8601)") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
