"""A string wrapper for secret values whose repr and str never show the value."""

from __future__ import annotations

import logging
import re
from typing import Final

_MASK: Final = "********"


class Secret:
    """Holds a secret value; ``reveal()`` is the only way to read it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        _REGISTRY.add(value)

    def reveal(self) -> str:
        """Return the secret value: call only where it must leave the process."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({_MASK})"

    def __str__(self) -> str:
        return _MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


class _Registry:
    """Secret values seen by this process, so the logging filter can redact them."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._ordered: tuple[str, ...] | None = None  # longest first; reset by add

    def add(self, value: str) -> None:
        if len(value) >= 4 and value not in self._values:
            self._values.add(value)
            self._ordered = None

    def redact(self, text: str) -> str:
        ordered = self._ordered
        if ordered is None:
            # Longest first, so a value containing another is masked whole.
            ordered = self._ordered = tuple(sorted(set(self._values), key=len, reverse=True))
        for value in ordered:
            if value in text:
                text = text.replace(value, _MASK)
        return _TOKEN_RE.sub(_MASK, text)


_REGISTRY = _Registry()
# Vault tokens (hvs./s./b.) and bearer headers never reach a log line.
_TOKEN_RE = re.compile(
    r"\b(?:hvs|hvb|s|b)\.[A-Za-z0-9_-]{20,}|(?i:bearer)\s+[A-Za-z0-9._~+/=-]{8,}"
)


def redact(text: str) -> str:
    """Mask every secret value this process has wrapped, and token-like strings."""
    return _REGISTRY.redact(text)


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in every record it passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True
