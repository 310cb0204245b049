"""An installation from before the ``ag-<slug>-u-`` names: sync moves people, revoke says what is left."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import insert

from accessguard.app import App
from accessguard.credentials.identity import sync
from accessguard.credentials.records import all_identities
from accessguard.credentials.vault_access import revoke_person_access
from accessguard.db import tables
from accessguard.inventory.records import get_person_record
from accessguard.results import Outcome
from accessguard.vault.facade import Vault, open_vault
from accessguard.vault.paths import username_for
from support.vault import admin_vault, seed_inventory, sqlite_vault_app


@pytest.fixture
def vapp(sqlite_url, clock, openbao, monkeypatch) -> Iterator[App]:
    """An SQLite App wired to OpenBao with a fresh prefix and a tool-policy token."""
    yield from sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch)


def _old_identity(vapp: App, root: Vault, email: str) -> str:
    """Make the person's entity and login as the old code did (named by email); its id."""
    entity = root.identity.ensure_entity(email, metadata={"accessguard_person": email})
    root.identity.ensure_alias(entity, username_for(email))
    group = root.paths.account_group("brand-x")
    root.identity.set_group_members(group, [entity.id])
    with vapp.begin() as conn:
        conn.execute(
            insert(tables.vault_identities).values(
                person_id=get_person_record(conn, email).id,
                entity_id=entity.id,
                username=username_for(email),
                created_at=vapp.clock.now(),
            )
        )
    return entity.id


@pytest.fixture
def upgraded(vapp: App, openbao) -> tuple[str, str]:
    """(email, old entity id) of a person with a shared-login grant and an old identity."""
    email = f"old-{uuid.uuid4().hex[:8]}@example.com"
    seed_inventory(vapp, openbao, people=(email,), shared=((email, "brand-x"),))
    return email, _old_identity(vapp, admin_vault(vapp, openbao), email)


def test_sync_moves_an_old_identity_to_the_tool_names(vapp: App, upgraded) -> None:
    email, _ = upgraded
    vault = open_vault(vapp)
    with vapp.begin() as conn:
        sync(conn, vapp.clock, vault=vault, actor="t")
        (identity,) = all_identities(conn)
    assert identity.username == vault.paths.person_login(email)


def test_sync_puts_the_new_entity_in_the_group_instead_of_the_old(vapp: App, upgraded) -> None:
    email, _ = upgraded
    vault = open_vault(vapp)
    with vapp.begin() as conn:
        sync(conn, vapp.clock, vault=vault, actor="t")
    entity = vault.identity.read_entity(vault.paths.person_login(email))
    assert entity is not None
    group = vault.identity.read_group(vault.paths.account_group("brand-x"))
    assert group is not None
    assert group.member_entity_ids == (entity.id,)


def test_revoke_takes_the_old_entity_out_and_waits_for_an_admin(vapp: App, upgraded) -> None:
    email, old_entity_id = upgraded
    vault = open_vault(vapp)
    with vapp.begin() as conn:
        result = revoke_person_access(
            conn, vapp.clock, vault=vault, person=get_person_record(conn, email), actor="t"
        )
    group = vault.identity.read_group(vault.paths.account_group("brand-x"))
    assert group is not None
    assert old_entity_id not in group.member_entity_ids
    assert result.outcome is Outcome.WAITING
