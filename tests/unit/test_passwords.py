"""Generated passwords: within each platform's rules, every class present, the whole alphabet used."""

from __future__ import annotations

import string
from collections import Counter

import pytest

from accessguard.credentials.passwords import RULES, _uniform_choices, generate_password, rule_for


@pytest.mark.parametrize("platform", [*sorted(RULES), "some-new-platform"])
def test_passwords_follow_the_platform_rule(platform: str) -> None:
    rule = rule_for(platform)
    alphabet = set(string.ascii_letters + string.digits + rule.symbols)
    for length in (1, 24, 500):
        password = generate_password(platform, length).reveal()
        assert rule.min_length <= len(password) <= rule.max_length
        assert set(password) <= alphabet
        assert any(c.islower() for c in password) and any(c.isupper() for c in password)
        assert any(c.isdigit() for c in password)
        assert any(c in rule.symbols for c in password)


def test_draws_cover_the_alphabet_without_favouring_the_first_characters() -> None:
    # 89 characters: 256 = 2 * 89 + 78, so plain `byte % 89` would favour the first 78.
    alphabet = string.ascii_letters + string.digits + "!#$%&()*+,-.:;<=>?@[]^_{|}~"
    counts = Counter(_uniform_choices(alphabet, 178_000))
    assert set(counts) == set(alphabet)
    # Expected 2000 each (sd about 45); biased modulo: about 2090 for the first 78, 1390 for
    # the last 11.
    assert max(counts.values()) < 2200 and min(counts.values()) > 1800
