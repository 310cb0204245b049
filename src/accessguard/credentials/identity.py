"""People's own Vault access, derived from grants: sync group membership, revoke a person.

Each account has a Vault group (made by ``vault bootstrap``) whose policy reads that
account's secret and TOTP code. ``sync`` makes every person's entity a member of
exactly the groups their active shared-login grants give; ``revoke_person_access``
(``vault_access.py``) removes a leaver everywhere and revokes their existing tokens.
Membership history is kept in ``vault_memberships``: it is the evidence for possible
exposure.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select, update

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.credentials.records import VaultIdentityRecord, all_identities, find_identity
from accessguard.db import tables
from accessguard.inventory.records import PersonRecord
from accessguard.secret import Secret
from accessguard.vault.facade import Vault


def ensure_identity(
    conn: Connection, clock: Clock, *, vault: Vault, person: PersonRecord, actor: str
) -> VaultIdentityRecord:
    """The person's entity (named by email) with a userpass alias; created if missing."""
    return _ensure(conn, clock, vault=vault, person_id=person.id, email=person.email, actor=actor)


def _ensure(
    conn: Connection, clock: Clock, *, vault: Vault, person_id: int, email: str, actor: str
) -> VaultIdentityRecord:
    """The person's entity and alias under the tool's names (``paths.person_login``).

    An identity made before those names (entity named by email, login without the
    ``ag-<slug>-u-`` prefix) is moved to them: a new entity and alias, and the row
    points at them; ``vault sync`` then moves group membership, and the old login is
    left for an admin to delete (the tool's policy no longer reaches it).
    """
    identity = find_identity(conn, person_id)
    username = vault.paths.person_login(email)
    entity = vault.identity.ensure_entity(username, metadata={"accessguard_person": email})
    ids = tables.vault_identities
    if identity is None:
        vault.identity.ensure_alias(entity, username)
        now = clock.now()
        identity_id: int = conn.execute(
            insert(ids)
            .values(person_id=person_id, entity_id=entity.id, username=username, created_at=now)
            .returning(ids.c.id)
        ).scalar_one()
        record(
            conn,
            clock,
            actor=actor,
            action=AuditAction.VAULT_IDENTITY_CREATE,
            target_type="person",
            target=email,
            details={"entity_id": entity.id, "username": username},
        )
        return VaultIdentityRecord(identity_id, person_id, entity.id, username, now, None)
    if identity.entity_id != entity.id or identity.username != username:
        vault.identity.ensure_alias(entity, username)
        conn.execute(
            update(ids)
            .where(ids.c.id == identity.id)
            .values(entity_id=entity.id, username=username)
        )
        if identity.username != username:
            record(
                conn,
                clock,
                actor=actor,
                action=AuditAction.VAULT_IDENTITY_RENAME,
                target_type="person",
                target=email,
                details={
                    "entity_id": entity.id,
                    "username": username,
                    "old_username": identity.username,
                    "old_entity_id": identity.entity_id,
                },
            )
        identity = dataclasses.replace(identity, entity_id=entity.id, username=username)
    return identity


def set_user_password(
    conn: Connection,
    clock: Clock,
    *,
    vault: Vault,
    person: PersonRecord,
    password: Secret,
    actor: str,
) -> VaultIdentityRecord:
    """Create (or reset) the person's userpass login, linked to their entity.

    This is the explicit way back in after ``revoke_person_access``: it re-enables the entity.
    """
    identity = ensure_identity(conn, clock, vault=vault, person=person, actor=actor)
    entity = vault.identity.read_entity(identity.username)
    if identity.disabled_at is not None or (entity is not None and entity.disabled):
        vault.identity.set_entity_disabled(identity.username, False)
        ids = tables.vault_identities
        conn.execute(update(ids).where(ids.c.id == identity.id).values(disabled_at=None))
        identity = dataclasses.replace(identity, disabled_at=None)
        record(
            conn,
            clock,
            actor=actor,
            action=AuditAction.VAULT_IDENTITY_ENABLE,
            target_type="person",
            target=person.email,
            details={"entity_id": identity.entity_id},
        )
    vault.identity.write_userpass_user(identity.username, password)
    record(
        conn,
        clock,
        actor=actor,
        action=AuditAction.VAULT_USER_SET,
        target_type="person",
        target=person.email,
        details={"username": identity.username},
    )
    return identity


@dataclass
class SyncPlan:
    """Drift between grants and Vault group membership, and what sync does about it."""

    add: list[tuple[str, str]] = field(default_factory=list)  # (email, account)
    remove: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (entity id, account)
    missing_groups: list[str] = field(default_factory=list)

    @property
    def drift(self) -> bool:
        """True if Vault differs from the grants."""
        return bool(self.add or self.remove or self.unknown)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "drift": self.drift,
            "add": [{"person": p, "account": a} for p, a in self.add],
            "remove": [{"person": p, "account": a} for p, a in self.remove],
            "unknown_members": [{"entity_id": e, "account": a} for e, a in self.unknown],
            "missing_groups": list(self.missing_groups),
        }


def _wanted(conn: Connection) -> dict[int, set[int]]:
    """account id -> ids of people with an active shared-login grant (not departed)."""
    grants, people = tables.grants.c, tables.people.c
    wanted: dict[int, set[int]] = defaultdict(set)
    rows = conn.execute(
        select(grants.account_id, grants.person_id)
        .join(tables.people, people.id == grants.person_id)
        .where(
            grants.via == "shared-login", grants.revoked_at.is_(None), people.status != "departed"
        )
    ).all()
    for account_id, person_id in rows:
        wanted[account_id].add(person_id)
    return wanted


def sync(
    conn: Connection, clock: Clock, *, vault: Vault, actor: str, dry_run: bool = False
) -> SyncPlan:
    """Make account groups hold exactly the entities that grants give; returns the drift."""
    wanted = _wanted(conn)
    people_c, accounts_c = tables.people.c, tables.accounts.c
    emails: dict[int, str] = {
        person_id: email for person_id, email in conn.execute(select(people_c.id, people_c.email))
    }
    identities = {i.person_id: i for i in all_identities(conn)}
    by_entity = {i.entity_id: i.person_id for i in identities.values()}
    plan = SyncPlan()
    members_by_account: dict[int, set[int]] = {}
    accounts = conn.execute(select(accounts_c.id, accounts_c.name).order_by(accounts_c.name)).all()
    for account_id, account_name in accounts:
        group_name = vault.paths.account_group(account_name)
        group = vault.identity.read_group(group_name)
        if group is None:
            plan.missing_groups.append(group_name)
            continue
        current = set(group.member_entity_ids)
        desired: dict[str, int] = {}
        for person_id in sorted(wanted.get(account_id, set())):
            identity = identities.get(person_id)
            if identity is not None and identity.disabled_at is not None:
                continue  # revoked by `vault revoke-person`: stays out
            legacy = identity is not None and not identity.username.startswith(
                vault.paths.person_prefix()
            )
            if (identity is None or legacy) and not dry_run:
                identity = _ensure(
                    conn,
                    clock,
                    vault=vault,
                    person_id=person_id,
                    email=emails[person_id],
                    actor=actor,
                )
                identities[person_id] = identity
                by_entity[identity.entity_id] = person_id
            if identity is None or identity.entity_id not in current:
                plan.add.append((emails[person_id], account_name))
            if identity is not None:
                desired[identity.entity_id] = person_id
        for entity_id in sorted(current - set(desired)):
            member = by_entity.get(entity_id)
            if member is None:
                plan.unknown.append((entity_id, account_name))
            else:
                plan.remove.append((emails[member], account_name))
        if not dry_run and set(desired) != current:
            vault.identity.set_group_members(group_name, sorted(desired))
        members_by_account[account_id] = set(desired.values())
    if dry_run:
        return plan
    _record_history(conn, clock, members_by_account)
    if plan.drift:
        record(
            conn,
            clock,
            actor=actor,
            action=AuditAction.VAULT_SYNC,
            target_type="vault",
            target=vault.paths.prefix,
            details=plan.to_dict(),
        )
    return plan


def membership_changes(
    open_rows: dict[tuple[int, int], int], members_by_account: dict[int, set[int]]
) -> tuple[list[int], list[tuple[int, int]]]:
    """(membership ids to close, (person id, account id) pairs to open) so history matches.

    ``open_rows`` maps (person id, account id) to the id of its open membership; only the
    accounts in ``members_by_account`` (whose groups were read) are touched.
    """
    close = [
        row_id
        for (person_id, account_id), row_id in open_rows.items()
        if account_id in members_by_account and person_id not in members_by_account[account_id]
    ]
    opened = [
        (person_id, account_id)
        for account_id, members in members_by_account.items()
        for person_id in sorted(members)
        if (person_id, account_id) not in open_rows
    ]
    return close, opened


def _record_history(
    conn: Connection, clock: Clock, members_by_account: dict[int, set[int]]
) -> None:
    """Open and close ``vault_memberships`` rows so history matches the groups now."""
    now = clock.now()
    table = tables.vault_memberships
    open_rows = {
        (person_id, account_id): row_id
        for row_id, person_id, account_id in conn.execute(
            select(table.c.id, table.c.person_id, table.c.account_id).where(
                table.c.removed_at.is_(None)
            )
        )
    }
    close, opened = membership_changes(open_rows, members_by_account)
    if close:
        conn.execute(update(table).where(table.c.id.in_(close)).values(removed_at=now))
    if opened:
        conn.execute(
            insert(table),
            [{"person_id": p, "account_id": a, "added_at": now} for p, a in opened],
        )
