"""Hostile account names and Vault path building: a path never leaves the configured prefix.

Whatever text arrives as an account name or a ``[vault]`` prefix, building a Vault name
ends in a clear AccessGuardError or in a normalised path strictly under the prefix
(one extra segment, no traversal), and TOTP keys, policies and groups of one account
can never collide with another's.
"""

from __future__ import annotations

import posixpath
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from accessguard.config import VaultSettings
from accessguard.errors import AccessGuardError
from accessguard.inventory.validation import check_account_name
from accessguard.vault.paths import VaultPaths, check_segment, username_for
from support.hostile import FAST, outcome

SAFE = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")
hostile_names = st.one_of(
    st.text(max_size=70),
    st.from_regex(r"\A[a-z0-9._/-]{1,70}\Z"),
    st.sampled_from(
        ["..", ".", "a/..", "../a", "a/../../b", "%2e%2e", "a\\..\\b", "a\x00", "/abs", "a//b"]
    ),
)
prefixes = st.one_of(
    st.sampled_from(["accessguard", "team/ag", "a.b/c-d", "", "/", "../x", "a/../b", "a//b"]),
    st.text(max_size=20),
)


def _under(prefix: str, path: str) -> str:
    """The part of ``path`` below ``prefix``, asserting it is exactly one safe segment."""
    assert path.startswith(prefix + "/"), (prefix, path)
    rest = path[len(prefix) + 1 :]
    assert "/" not in rest and rest not in ("", ".", ".."), path
    assert posixpath.normpath(path) == path, path
    return rest


@FAST
@given(hostile_names)
@example("../../sys/policy/root")
def test_account_names_stay_under_the_prefix(name: str) -> None:
    paths = VaultPaths.from_settings(VaultSettings(prefix="accessguard"))
    built = outcome(lambda: paths.secret(name))
    if isinstance(built, AccessGuardError):
        return
    assert _under("accessguard", built) == name
    assert paths.secret_api_path(name) == f"secret/data/{built}"
    assert paths.account_policy(name) == paths.account_group(name)
    assert paths.account_policy(name).startswith(paths.group_prefix())
    assert paths.totp_key(name, 1).startswith(paths.totp_base(name))


@FAST
@given(prefixes, hostile_names)
def test_any_configured_prefix(prefix: str, name: str) -> None:
    paths = outcome(lambda: VaultPaths.from_settings(VaultSettings(prefix=prefix)))
    if isinstance(paths, AccessGuardError):
        return
    assert posixpath.normpath(paths.prefix) == paths.prefix and ".." not in paths.prefix.split("/")
    built = outcome(lambda: paths.secret(name))
    if not isinstance(built, AccessGuardError):
        _under(paths.prefix, built)


@FAST
@given(hostile_names, hostile_names)
def test_one_accounts_names_never_match_anothers(a: str, b: str) -> None:
    paths = VaultPaths.from_settings(VaultSettings(prefix="accessguard"))
    if a == b or any(
        isinstance(outcome(lambda n=n: check_segment(n)), AccessGuardError) for n in (a, b)
    ):
        return
    # A TOTP glob `<base>*` of one account must not match the other account's keys.
    assert not paths.totp_key(b, 1).startswith(paths.totp_base(a))
    assert paths.account_group(a) != paths.account_group(b)


@FAST
@given(hostile_names)
def test_inventory_names_are_safe_segments(name: str) -> None:
    checked = outcome(lambda: check_account_name(name))
    if isinstance(checked, AccessGuardError):
        return
    assert SAFE.fullmatch(checked) and ".." not in checked
    paths = VaultPaths.from_settings(VaultSettings())
    assert paths.secret(checked) == f"accessguard/{checked}"


@FAST
@given(st.text(max_size=60) | st.emails())
def test_vault_user_names(email: str) -> None:
    user = outcome(lambda: username_for(email))
    if not isinstance(user, AccessGuardError):
        paths = VaultPaths.from_settings(VaultSettings())
        assert _under("auth/userpass/login", paths.login_prefix(user).rstrip("/")) == user


@pytest.mark.parametrize("name", ["brand-x\n", "brand-x\r\n", "\nbrand-x", "brand\nx"])
def test_a_newline_is_never_part_of_a_safe_segment(name: str) -> None:
    with pytest.raises(AccessGuardError):
        check_segment(name)
