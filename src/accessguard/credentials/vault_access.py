"""Revoke a person's own Vault access: groups, entity, login, tokens (Core statements only).

``identity.py`` creates and syncs identities and memberships.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.db import tables
from accessguard.inventory.records import PersonRecord
from accessguard.results import ActionResult
from accessguard.vault.facade import Vault
from accessguard.vault.paths import username_for


def revoke_person_access(
    conn: Connection,
    clock: Clock,
    *,
    vault: Vault,
    person: PersonRecord,
    actor: str,
    run_id: str | None = None,
) -> ActionResult:
    """Remove from groups, disable the entity, delete the login, revoke tokens (idempotent)."""
    ids = tables.vault_identities.c
    identity = conn.execute(
        select(ids.id, ids.username, ids.disabled_at).where(ids.person_id == person.id)
    ).first()
    username = identity.username if identity else username_for(person.email)
    entity = vault.identity.read_entity(person.email)
    done: list[str] = []
    if entity is not None:
        prefix = vault.paths.group_prefix()
        for group_id in entity.group_ids:
            data = vault.read(f"identity/group/id/{group_id}", what="read a group")
            name = ((data or {}).get("data") or {}).get("name", "")
            if not name.startswith(prefix):
                continue  # not a group this tool manages
            group = vault.identity.read_group(name)
            if group is not None and entity.id in group.member_entity_ids:
                vault.identity.write_group(
                    name,
                    policies=list(group.policies),
                    member_entity_ids=[e for e in group.member_entity_ids if e != entity.id],
                )
                done.append(f"removed from {name}")
        if not entity.disabled:
            vault.identity.set_entity_disabled(person.email, True)
            done.append("entity disabled")
    if vault.identity.userpass_user_exists(username):
        vault.identity.delete_userpass_user(username)
        done.append(f"user {username} deleted")
    # Deleting the user does not invalidate tokens it already has: revoke them by login path.
    vault.sys.revoke_prefix(vault.paths.login_prefix(username))
    now = clock.now()
    memberships = tables.vault_memberships.c
    closed = conn.execute(
        update(tables.vault_memberships)
        .where(memberships.person_id == person.id, memberships.removed_at.is_(None))
        .values(removed_at=now)
    )
    if closed.rowcount:
        done.append("membership history closed")
    if identity is not None and identity.disabled_at is None:
        conn.execute(
            update(tables.vault_identities).where(ids.id == identity.id).values(disabled_at=now)
        )
        done.append("identity marked disabled")
    if not done:
        return ActionResult.unchanged(f"{person.email} has no Vault access", person=person.email)
    record(
        conn,
        clock,
        actor=actor,
        action=AuditAction.VAULT_REVOKE_PERSON,
        target_type="person",
        target=person.email,
        run_id=run_id,
        details={"steps": done, "username": username},
    )
    return ActionResult.changed(
        f"Vault access of {person.email} revoked", person=person.email, steps=done
    )
