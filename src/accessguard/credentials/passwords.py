"""Strong passwords that each platform accepts (length limits and character rules)."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from accessguard.secret import Secret

# Punctuation every platform we know accepts; quotes and backslashes are left out on purpose.
_SAFE_SYMBOLS = "!#$%&()*+,-.:;<=>?@[]^_{|}~"


@dataclass(frozen=True)
class PasswordRule:
    """What a platform accepts."""

    min_length: int = 12
    max_length: int = 128
    symbols: str = _SAFE_SYMBOLS


RULES: dict[str, PasswordRule] = {
    # X allows at most 128 characters; Meta, Google, LinkedIn and Pinterest accept long passwords.
    "x": PasswordRule(min_length=8, max_length=128),
    "linkedin": PasswordRule(min_length=8, max_length=200),
    "tiktok": PasswordRule(min_length=8, max_length=20, symbols="!#$%&*@^"),
    "reddit": PasswordRule(min_length=8, max_length=64),
    "pinterest": PasswordRule(min_length=8, max_length=64),
    "youtube": PasswordRule(min_length=8, max_length=100),
    "google-business-profile": PasswordRule(min_length=8, max_length=100),
    "hootsuite": PasswordRule(min_length=8, max_length=64),
    "sprout-social": PasswordRule(min_length=8, max_length=64),
}


def rule_for(platform: str) -> PasswordRule:
    """The rule for ``platform`` (a generous default for others)."""
    return RULES.get(platform, PasswordRule())


def generate_password(platform: str, length: int = 24) -> Secret:
    """A random password within the platform's limits, with every character class present."""
    rule = rule_for(platform)
    size = max(rule.min_length, min(length, rule.max_length))
    classes = [string.ascii_lowercase, string.ascii_uppercase, string.digits, rule.symbols]
    alphabet = "".join(classes)
    while True:
        chars = _uniform_choices(alphabet, size)
        drawn = set(chars)
        if all(not drawn.isdisjoint(cls) for cls in classes):
            return Secret("".join(chars))


def _uniform_choices(alphabet: str, size: int) -> list[str]:
    """``size`` characters drawn uniformly from ``alphabet`` with one read of the OS CSPRNG.

    Bytes at or above the largest multiple of the alphabet's length are dropped, so
    ``byte % len`` has no modulo bias (``secrets.choice`` per character is as good, but
    makes a system call per character).
    """
    limit = 256 - 256 % len(alphabet)
    chars: list[str] = []
    while len(chars) < size:
        chars += [alphabet[b % len(alphabet)] for b in secrets.token_bytes(2 * size) if b < limit]
    return chars[:size]
