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
        chars = [secrets.choice(alphabet) for _ in range(size)]
        if all(any(c in cls for c in chars) for cls in classes):
            return Secret("".join(chars))
