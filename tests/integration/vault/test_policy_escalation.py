"""Attacks: the tool's own token tries to give itself (or a login it makes) more power.

Each case runs against OpenBao with a token holding ONLY the shipped tool policy
(``support.vault.vault_app``) and expects a refusal. A human admin's login, entity and
policy are set up first with the root token, as an operator's would be.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from accessguard.app import App
from accessguard.vault.facade import open_vault
from support.vault import admin_vault, seed_inventory, sqlite_vault_app

HUMAN_PASSWORD = "human-admin-pw-1234"
EVIL_PASSWORD = "evil-login-pw-1234"


@dataclass(frozen=True)
class World:
    """Names in play: the tool's, and a human admin's made with the root token."""

    addr: str
    tool_token: str
    slug: str
    userpass: str
    accessor: str
    admin_policy: str
    human_user: str
    human_entity: str
    human_entity_id: str
    tool_group: str


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    """An SQLite App wired to OpenBao with a fresh prefix and a tool-policy token."""
    yield from sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch)


@pytest.fixture
def world(vapp: App, openbao) -> World:
    """A bootstrapped installation plus a human admin (policy, login, entity with alias)."""
    seed_inventory(vapp, openbao, accounts=(("brand-x", "x"),))
    root = admin_vault(vapp, openbao)
    tag = uuid.uuid4().hex[:8]
    admin_policy = f"human-admin-{tag}"
    root.sys.write_policy(
        admin_policy, 'path "*" {\n  capabilities = ["create", "read", "sudo"]\n}\n'
    )
    human_user = f"human-{tag}"
    userpass = root.paths.userpass_mount
    root.write(
        f"auth/{userpass}/users/{human_user}",
        {"password": HUMAN_PASSWORD, "token_policies": [admin_policy]},
        what="create a human admin",
    )
    human_entity = f"human-entity-{tag}"
    root.write(f"identity/entity/name/{human_entity}", {"policies": [admin_policy]}, what="entity")
    entity = root.identity.read_entity(human_entity)
    assert entity is not None
    accessor = root.identity.userpass_accessor()
    root.write(
        "identity/entity-alias",
        {"name": human_user, "canonical_id": entity.id, "mount_accessor": accessor},
        what="alias the human admin",
    )
    return World(
        addr=openbao.addr,
        tool_token=os.environ["VAULT_TOKEN"],
        slug=root.paths.slug,
        userpass=userpass,
        accessor=accessor,
        admin_policy=admin_policy,
        human_user=human_user,
        human_entity=human_entity,
        human_entity_id=entity.id,
        tool_group=root.paths.account_group("brand-x"),
    )


def _call(w: World, method: str, path: str, body: dict[str, Any] | None = None) -> int:
    """The status of one request made with the tool's token."""
    response = requests.request(
        method,
        f"{w.addr}/v1/{path}",
        json=body,
        headers={"X-Vault-Token": w.tool_token},
        timeout=5,
    )
    return response.status_code


def _evil(w: World) -> str:
    """A login name under the tool's own prefix (the tool may make these)."""
    return f"ag-{w.slug}-u-evil_at_example.com"


ESCALATIONS: dict[str, Any] = {
    "userpass user with token_policies": lambda w: (
        "POST",
        f"auth/{w.userpass}/users/{_evil(w)}",
        {"password": EVIL_PASSWORD, "token_policies": [w.admin_policy]},
    ),
    "userpass user with policies": lambda w: (
        "POST",
        f"auth/{w.userpass}/users/{_evil(w)}",
        {"password": EVIL_PASSWORD, "policies": [w.admin_policy]},
    ),
    "userpass user policies endpoint": lambda w: (
        "POST",
        f"auth/{w.userpass}/users/{_evil(w)}/policies",
        {"token_policies": [w.admin_policy]},
    ),
    "userpass user outside the prefix": lambda w: (
        "POST",
        f"auth/{w.userpass}/users/evil-{w.slug}",
        {"password": EVIL_PASSWORD},
    ),
    "reset a human's password": lambda w: (
        "POST",
        f"auth/{w.userpass}/users/{w.human_user}",
        {"password": EVIL_PASSWORD},
    ),
    "reset a human's password (password endpoint)": lambda w: (
        "POST",
        f"auth/{w.userpass}/users/{w.human_user}/password",
        {"password": EVIL_PASSWORD},
    ),
    "delete a human's login": lambda w: ("DELETE", f"auth/{w.userpass}/users/{w.human_user}", None),
    "read a human's login": lambda w: ("GET", f"auth/{w.userpass}/users/{w.human_user}", None),
    "revoke a human's tokens": lambda w: (
        "POST",
        f"sys/leases/revoke-prefix/auth/{w.userpass}/login/{w.human_user}",
        {},
    ),
    "group write adding an admin policy": lambda w: (
        "POST",
        f"identity/group/name/{w.tool_group}",
        {"policies": [f"ag-{w.slug}-acct-brand-x", w.admin_policy]},
    ),
    "group write of its members and policies": lambda w: (
        "POST",
        f"identity/group/name/{w.tool_group}",
        {"member_entity_ids": [], "policies": [w.admin_policy]},
    ),
    "group write nesting groups": lambda w: (
        "POST",
        f"identity/group/name/{w.tool_group}",
        {"member_group_ids": []},
    ),
    "group outside the prefix": lambda w: (
        "POST",
        f"identity/group/name/evil-{w.slug}",
        {"policies": [w.admin_policy]},
    ),
    "entity create with admin policies": lambda w: (
        "POST",
        f"identity/entity/name/ag-{w.slug}-u-evil2",
        {"policies": [w.admin_policy]},
    ),
    "entity create by id endpoint": lambda w: (
        "POST",
        "identity/entity",
        {"name": f"ag-{w.slug}-u-evil3", "policies": [w.admin_policy]},
    ),
    "entity outside the prefix": lambda w: (
        "POST",
        f"identity/entity/name/evil-{w.slug}",
        {"metadata": {"x": "y"}},
    ),
    "add a policy to a human's entity": lambda w: (
        "POST",
        f"identity/entity/name/{w.human_entity}",
        {"policies": [w.admin_policy]},
    ),
    "disable a human's entity": lambda w: (
        "POST",
        f"identity/entity/name/{w.human_entity}",
        {"disabled": True},
    ),
    "read a human's entity by name": lambda w: (
        "GET",
        f"identity/entity/name/{w.human_entity}",
        None,
    ),
    "read a human's entity by id": lambda w: (
        "GET",
        f"identity/entity/id/{w.human_entity_id}",
        None,
    ),
    "alias re-pointing a human's login": lambda w: (
        "POST",
        "identity/entity-alias",
        {"name": w.human_user, "canonical_id": w.human_entity_id, "mount_accessor": w.accessor},
    ),
    "alias with extra parameters": lambda w: (
        "POST",
        "identity/entity-alias",
        {
            "name": _evil(w),
            "canonical_id": w.human_entity_id,
            "mount_accessor": w.accessor,
            "custom_metadata": {"x": "y"},
        },
    ),
    "write the tool's own policy": lambda w: (
        "POST",
        f"sys/policies/acl/ag-{w.slug}-tool",
        {"policy": 'path "*" { capabilities = ["sudo", "create", "read", "update"] }'},
    ),
    "write the tool's own policy (sys/policy)": lambda w: (
        "POST",
        f"sys/policy/ag-{w.slug}-tool",
        {"policy": 'path "*" { capabilities = ["sudo", "create", "read", "update"] }'},
    ),
    "write an account policy": lambda w: (
        "POST",
        f"sys/policies/acl/ag-{w.slug}-acct-brand-x",
        {"policy": 'path "*" { capabilities = ["sudo", "create", "read", "update"] }'},
    ),
    "create a child token with the admin policy": lambda w: (
        "POST",
        "auth/token/create",
        {"policies": [w.admin_policy]},
    ),
}


@pytest.mark.parametrize("attack", sorted(ESCALATIONS))
def test_tool_token_cannot_escalate(world: World, attack: str) -> None:
    method, path, body = ESCALATIONS[attack](world)
    assert _call(world, method, path, body) == 403


def test_alias_to_a_foreign_entity_gives_no_admin_login(world: World) -> None:
    """A tool-made login tied to a human admin's entity (whose id leaked) gets no admin token.

    Vault's ACL cannot pin ``canonical_id``; Vault itself refuses a second alias on the
    userpass mount for an entity that already has one (a human admin's login).
    """
    made = _call(
        world, "POST", f"auth/{world.userpass}/users/{_evil(world)}", {"password": EVIL_PASSWORD}
    )
    assert made in (200, 204)
    tied = _call(
        world,
        "POST",
        "identity/entity-alias",
        {
            "name": _evil(world),
            "canonical_id": world.human_entity_id,
            "mount_accessor": world.accessor,
        },
    )
    assert tied >= 400


def test_a_login_the_tool_makes_holds_no_admin_policy(world: World) -> None:
    _call(world, "POST", f"auth/{world.userpass}/users/{_evil(world)}", {"password": EVIL_PASSWORD})
    login = requests.post(
        f"{world.addr}/v1/auth/{world.userpass}/login/{_evil(world)}",
        json={"password": EVIL_PASSWORD},
        timeout=5,
    )
    login.raise_for_status()
    assert world.admin_policy not in login.json()["auth"]["policies"]


def test_the_human_admin_still_logs_in_after_the_attacks(world: World) -> None:
    for attack in ESCALATIONS:
        method, path, body = ESCALATIONS[attack](world)
        _call(world, method, path, body)
    login = requests.post(
        f"{world.addr}/v1/auth/{world.userpass}/login/{world.human_user}",
        json={"password": HUMAN_PASSWORD},
        timeout=5,
    )
    assert login.status_code == 200


def test_the_tool_token_holds_only_the_tool_policy(vapp: App, world: World) -> None:
    assert open_vault(vapp).sys.token_info()["policies"] == [f"ag-{world.slug}-tool"]
