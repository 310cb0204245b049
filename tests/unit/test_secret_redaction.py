"""Redaction of registered secret values (secret.py): every occurrence, longest value first."""

from __future__ import annotations

import secrets

from accessguard.secret import Secret, redact


def test_every_registered_value_is_masked_wherever_it_appears() -> None:
    values = [Secret(f"canary-{secrets.token_hex(8)}") for _ in range(300)]
    text = " | ".join(v.reveal() for v in values[::7]) + " tail " + values[-1].reveal()
    masked = redact(text)
    assert all(v.reveal() not in masked for v in values)
    assert masked.count("********") == len(values[::7]) + 1
    assert masked.endswith(" tail ********")


def test_a_value_containing_another_is_masked_whole() -> None:
    inner = Secret("zq" + secrets.token_hex(4))
    outer = Secret("yy" + inner.reveal() + "yy")
    assert redact(f"<{outer.reveal()}> <{inner.reveal()}>") == "<********> <********>"


def test_values_sharing_a_prefix_and_short_texts() -> None:
    stem = "pfx" + secrets.token_hex(3)
    a, b = Secret(stem + "aaaa"), Secret(stem + "bbbbbbbb")
    assert redact(f"{a.reveal()},{b.reveal()},{stem}") == f"********,********,{stem}"
    assert redact("") == "" and redact("abc") == "abc"
    Secret("abc")  # shorter than four characters: not registered (too common to mask)
    assert redact("abc abc") == "abc abc"


def test_text_without_secrets_is_unchanged_and_tokens_are_masked() -> None:
    Secret("s3cr3t-" + secrets.token_hex(6))
    assert redact("nothing to see") == "nothing to see"
    token = "hvs." + "AbCdEfGh" * 3  # built here: no token-shaped literal in the tree
    assert redact(f"{token} in a line") == "******** in a line"


def test_bearer_headers_in_any_case_and_values_added_from_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    assert redact("Authorization: BeArEr abcdefgh12345") == "Authorization: ********"
    stem = "thr" + secrets.token_hex(2)  # every value shares one index group
    with ThreadPoolExecutor(8) as pool:
        values = list(pool.map(lambda i: Secret(f"{stem}-{i}-{secrets.token_hex(4)}"), range(400)))
    masked = redact(" ".join(v.reveal() for v in values))
    assert masked == " ".join(["********"] * len(values))
