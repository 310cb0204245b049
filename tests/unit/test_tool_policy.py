"""The rendered tool policy: every identity and userpass path is pinned to names and parameters."""

from __future__ import annotations

import re

import pytest

from accessguard.vault.paths import VaultPaths
from accessguard.vault.policies import tool_policy_text

PATHS = VaultPaths(kv_mount="secret", prefix="brand/eu", totp_mount="totp", userpass_mount="up")
BLOCK_RE = re.compile(r'^path "([^"]+)" \{\n(.*?)^\}', re.M | re.S)


def _blocks() -> dict[str, str]:
    return dict(BLOCK_RE.findall(tool_policy_text(PATHS)))


def test_no_placeholder_is_left() -> None:
    assert "{{" not in tool_policy_text(PATHS)


@pytest.mark.parametrize(
    "path",
    [
        "identity/entity/name/ag-brand.eu-u-*",
        "identity/entity-alias",
        "identity/group/name/ag-brand.eu-acct-*",
        "auth/up/users/ag-brand.eu-u-*",
    ],
)
def test_writable_identity_paths_list_their_parameters(path: str) -> None:
    assert "allowed_parameters" in _blocks()[path]


@pytest.mark.parametrize("word", ["policies", "token_policies", "member_group_ids", "type"])
def test_no_path_allows_policy_or_nesting_parameters(word: str) -> None:
    assert f'"{word}" =' not in tool_policy_text(PATHS)


def test_every_userpass_and_identity_name_path_is_under_the_tool_names() -> None:
    named = [
        p
        for p in _blocks()
        if p.startswith(("auth/up/users/", "identity/entity/", "identity/group/name/"))
    ]
    assert all(p.split("/")[-1].startswith("ag-brand.eu-") for p in named)


def test_person_login_is_under_the_prefix_the_policy_reaches() -> None:
    assert PATHS.person_login("Ann@Example.com") == "ag-brand.eu-u-ann_at_example.com"
