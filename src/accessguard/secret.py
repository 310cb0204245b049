"""A string wrapper for secret values whose repr and str never show the value."""

from __future__ import annotations

import logging
import re
import threading
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


_GRAM: Final = 4  # the shortest value kept; values are found through their first _GRAM chars


class _Registry:
    """Secret values seen by this process, so the logging filter can redact them.

    An offboarding registers hundreds of new passwords and redacts every outcome it
    records: values are indexed by their first four characters, so a text is checked
    only against the values whose prefix occurs in it (one pass over the text), not
    against every value. Pool threads add values while the main thread redacts: the
    index is updated in place, one group at a time (each an atomic dict store).
    """

    def __init__(self) -> None:
        self._index: dict[str, tuple[str, ...]] = {}
        self._adding = threading.Lock()  # two adds to one group must not drop either

    def add(self, value: str) -> None:
        if len(value) >= _GRAM:
            with self._adding:
                group = self._index.get(value[:_GRAM], ())
                if value not in group:
                    self._index[value[:_GRAM]] = (*group, value)

    def redact(self, text: str) -> str:
        index = self._index
        if index and len(text) >= _GRAM:
            found = index.keys() & {text[i : i + _GRAM] for i in range(len(text) - _GRAM + 1)}
            if found:
                # Longest first, so a value containing another is masked whole.
                values = sorted((v for gram in found for v in index[gram]), key=len, reverse=True)
                for value in values:
                    if value in text:
                        text = text.replace(value, _MASK)
        # A token has a "." after its prefix, a bearer header the word: skip the regex otherwise.
        if "." in text or "earer" in text.lower():
            return _TOKEN_RE.sub(_MASK, text)
        return text


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
        # A traceback carries exception messages (a URL with a token, a platform's echo):
        # format it here, redacted, so no handler formats the raw one later.
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
