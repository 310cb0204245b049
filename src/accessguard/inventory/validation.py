"""Field rules shared by commands and importers; each failure is a one-line InputError."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime

from accessguard.errors import InputError

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
# Account names become Vault path segments: keep them to a safe, traversal-free set.
ACCOUNT_NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]|\.(?!\.)){0,62}$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{6,20}$")
MAX_EMAIL = 320


def check_email(value: str, field: str = "email") -> str:
    """A lower-cased, well-formed email."""
    value = value.strip().lower()
    if len(value) > MAX_EMAIL or not EMAIL_RE.fullmatch(value):
        raise InputError(f"{field}: {_short(value)!r} is not a valid email address")
    return value


def _short(value: str, limit: int = 80) -> str:
    """Long hostile values are cut in messages so an error stays one readable line."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def check_text(value: str, field: str, *, max_length: int, multiline: bool = False) -> str:
    """Stripped free text without control characters, at most ``max_length`` characters.

    The database refuses NUL and over-long values with driver errors (PostgreSQL), and
    control characters would garble tables and one-line messages: refuse them here.
    """
    value = value.strip()
    if len(value) > max_length:
        raise InputError(f"{field}: longer than {max_length} characters")
    allowed = "\t\n\r" if multiline else ""
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cs") and char not in allowed:
            raise InputError(f"{field}: contains a control character (U+{ord(char):04X})")
    return value


def optional_text(
    value: str | None, field: str, *, max_length: int, multiline: bool = False
) -> str | None:
    """``check_text`` for an optional value: blank or None is None."""
    if value is None:
        return None
    return check_text(value, field, max_length=max_length, multiline=multiline) or None


def check_choice(value: str, choices: Iterable[str], field: str) -> str:
    """``value`` lower-cased, if it is one of ``choices``."""
    options = tuple(choices)
    clean = value.strip().lower()
    if clean not in options:
        raise InputError(f"{field}: {_short(value)!r} is not one of {', '.join(options)}")
    return clean


def check_account_name(value: str) -> str:
    """A slug safe to use as a Vault path segment."""
    if not ACCOUNT_NAME_RE.fullmatch(value):
        raise InputError(
            f"account name {_short(value)!r} must be 1-63 characters of a-z, 0-9, '-', '_' or '.', "
            "start with a letter or digit, and contain no '..'"
        )
    return value


def check_phone(value: str, field: str = "recovery_phone") -> str:
    """A plausible phone number."""
    value = value.strip()
    if not PHONE_RE.fullmatch(value):
        raise InputError(f"{field}: {_short(value)!r} is not a phone number")
    return value


def parse_date(value: str, field: str = "date") -> date:
    """An ISO date (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{field}: {_short(value)!r} is not a date (YYYY-MM-DD)") from None


def parse_datetime(value: str, field: str = "time") -> datetime:
    """An ISO date or datetime, as aware UTC (a bare date is midnight UTC)."""
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
        parsed = datetime.fromisoformat(text)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 shifted out of range
        raise InputError(f"{field}: {_short(value)!r} is not a date or time (ISO 8601)") from None
