"""Revoke a person's own Vault access: groups, entity, login, tokens (Core statements only).

``identity.py`` creates and syncs identities and memberships.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select, update

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.db import tables
from accessguard.inventory.records import PersonRecord
from accessguard.results import ActionResult
from accessguard.vault.facade import Vault


def _leave_groups(
    vault: Vault, entity_ids: set[str], group_ids: Iterable[str], *, every_group: bool
) -> list[str]:
    """Take ``entity_ids`` out of every tool group that holds one of them.

    The tool-named entity lists its groups; an old entity (which the tool may no
    longer read) is looked for in ``every_group`` of the tool's.
    """
    prefix = vault.paths.group_prefix()
    names = vault.identity.group_names()
    wanted = set(names) if every_group else set(group_ids)
    done: list[str] = []
    for name in sorted(names[g] for g in wanted if names.get(g, "").startswith(prefix)):
        group = vault.identity.read_group(name)
        if group is not None and entity_ids & set(group.member_entity_ids):
            members = [e for e in group.member_entity_ids if e not in entity_ids]
            vault.identity.set_group_members(name, members)
            done.append(f"removed from {name}")
    return done


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
        select(ids.id, ids.entity_id, ids.username, ids.disabled_at).where(
            ids.person_id == person.id
        )
    ).first()
    username = vault.paths.person_login(person.email)
    entity = vault.identity.read_entity(username)
    # An identity made before the ``ag-<slug>-u-`` names: its entity is taken out of the
    # groups here; its login and entity are out of the tool's reach (an admin deletes them).
    legacy = identity.username if identity and identity.username != username else None
    entity_ids = {entity.id} if entity is not None else set()
    if identity is not None:
        entity_ids.add(identity.entity_id)
    done: list[str] = []
    if entity_ids:
        done += _leave_groups(
            vault,
            entity_ids,
            entity.group_ids if entity is not None else (),
            every_group=legacy is not None,
        )
    if entity is not None and not entity.disabled:
        vault.identity.set_entity_disabled(username, True)
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
    if legacy is not None:
        return ActionResult.waiting(
            f"Vault access of {person.email} revoked except the old login {legacy}",
            f"with an admin token: bao delete auth/{vault.paths.userpass_mount}/users/{legacy}"
            f" && bao write -f sys/leases/revoke-prefix/"
            f"{vault.paths.login_prefix(legacy)}; then disable its entity",
            person=person.email,
            steps=done,
        )
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
