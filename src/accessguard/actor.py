"""Who acts: the actor recorded in every audit event, run and review decision."""

from __future__ import annotations

import unicodedata

from accessguard.errors import ConfigError, UsageError

#: The longest actor name (an email's limit): it is written into every audit event.
MAX_ACTOR = 320


def actor_name(value: str, source: str, *, usage: bool = False) -> str:
    """An actor as recorded: stripped and lower-cased, so ``Alice@Example.com`` is ``alice@...``.

    Empty, over-long or with control (or invisible format) characters: a one-line
    ConfigError naming ``source`` (``ACCESSGUARD_ACTOR``, the config file), or a
    UsageError with ``usage`` (``--actor``).
    """
    text = value.strip()
    problem = (
        "is empty"
        if not text
        else "contains control characters"
        if any(unicodedata.category(ch).startswith("C") for ch in text)
        else f"is longer than {MAX_ACTOR} characters"
        if len(text) > MAX_ACTOR
        else None
    )
    if problem:
        error = UsageError if usage else ConfigError
        raise error(
            f"{source} {problem}: the actor names who acts in the audit trail",
            hint="give your email, e.g. --actor alice@example.com (or set ACCESSGUARD_ACTOR)",
            code="actor-invalid",
        )
    return text.lower()
