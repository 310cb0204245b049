"""TOTP seeds given on stdin hold at least 128 bits (RFC 4226), as a bare base32 seed
and inside an otpauth:// URI alike; the refusal never echoes the secret."""

from __future__ import annotations

import base64

import pytest

from accessguard.credentials.totp import parse_seed
from accessguard.errors import InputError


def _b32(size: int, fill: bytes = b"\xa7") -> str:
    return base64.b32encode(fill * size).decode().rstrip("=")


@pytest.mark.parametrize("size", [2, 10, 15])
def test_short_bare_seed_is_refused(size: int) -> None:
    seed = _b32(size)
    with pytest.raises(InputError) as caught:
        parse_seed(seed)
    assert "128 bits" in caught.value.message
    assert seed not in caught.value.message


@pytest.mark.parametrize("size", [2, 10, 15])
def test_short_otpauth_secret_is_refused(size: int) -> None:
    secret = _b32(size)
    with pytest.raises(InputError) as caught:
        parse_seed(f"otpauth://totp/X:ann?secret={secret}&issuer=X")
    message = caught.value.message
    assert "128 bits" in message
    assert secret not in message
    assert "\n" not in message


def test_otpauth_secret_that_is_not_base32_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        parse_seed("otpauth://totp/X:ann?secret=not-base32-canary!&issuer=X")
    assert "canary" not in caught.value.message


def test_128_bit_seed_is_accepted_on_both_paths() -> None:
    secret = _b32(16)
    seed, url = parse_seed(secret.lower())
    assert url is None
    assert seed is not None
    assert seed.reveal() == secret
    seed, url = parse_seed(f"otpauth://totp/X:ann?secret={secret}&issuer=X")
    assert seed is None
    assert url is not None
