"""People's own Vault access, derived from grants: sync group membership, revoke a person.

Each account has a Vault group (made by ``vault bootstrap``) whose policy reads that
account's secret and TOTP code. ``sync`` makes every person's entity a member of
exactly the groups their active shared-login grants give; ``revoke_person_access``
(``vault_access.py``) removes a leaver everywhere and revokes their existing tokens.
Membership history is kept in ``VaultMembership``: it is the evidence for possible
exposure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.credentials.models import VaultIdentity, VaultMembership
from accessguard.inventory.models import Account, Grant, Person
from accessguard.secret import Secret
from accessguard.vault.facade import Vault
from accessguard.vault.paths import username_for


def find_identity(session: Session, person: Person) -> VaultIdentity | None:
    """The person's Vault identity row, or None."""
    return session.execute(
        select(VaultIdentity).where(VaultIdentity.person_id == person.id)
    ).scalar_one_or_none()


def ensure_identity(
    session: Session, clock: Clock, vault: Vault, person: Person, *, actor: str
) -> VaultIdentity:
    """The person's entity (named by email) with a userpass alias; created if missing."""
    identity = find_identity(session, person)
    username = identity.username if identity else username_for(person.email)
    entity = vault.identity.ensure_entity(
        person.email, metadata={"accessguard_person": person.email}
    )
    if identity is None:
        vault.identity.ensure_alias(entity, username)
        identity = VaultIdentity(
            person_id=person.id, entity_id=entity.id, username=username, created_at=clock.now()
        )
        session.add(identity)
        session.flush()
        record(
            session,
            clock,
            actor=actor,
            action="vault.identity.create",
            target_type="person",
            target=person.email,
            details={"entity_id": entity.id, "username": username},
        )
    elif identity.entity_id != entity.id:
        vault.identity.ensure_alias(entity, username)
        identity.entity_id = entity.id
    return identity


def set_user_password(
    session: Session, clock: Clock, vault: Vault, person: Person, password: Secret, *, actor: str
) -> VaultIdentity:
    """Create (or reset) the person's userpass login, linked to their entity.

    This is the explicit way back in after ``revoke_person_access``: it re-enables the entity.
    """
    identity = ensure_identity(session, clock, vault, person, actor=actor)
    entity = vault.identity.read_entity(person.email)
    if identity.disabled_at is not None or (entity is not None and entity.disabled):
        vault.identity.set_entity_disabled(person.email, False)
        identity.disabled_at = None
        record(
            session,
            clock,
            actor=actor,
            action="vault.identity.enable",
            target_type="person",
            target=person.email,
            details={"entity_id": identity.entity_id},
        )
    vault.identity.write_userpass_user(identity.username, password)
    record(
        session,
        clock,
        actor=actor,
        action="vault.user.set",
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


def _wanted(session: Session) -> dict[int, set[int]]:
    """account id -> ids of people with an active shared-login grant (not departed)."""
    wanted: dict[int, set[int]] = defaultdict(set)
    rows = session.execute(
        select(Grant.account_id, Grant.person_id)
        .join(Person, Person.id == Grant.person_id)
        .where(Grant.via == "shared-login", Grant.revoked_at.is_(None), Person.status != "departed")
    ).all()
    for account_id, person_id in rows:
        wanted[account_id].add(person_id)
    return wanted


def _open_memberships(session: Session) -> dict[tuple[int, int], VaultMembership]:
    return {
        (m.person_id, m.account_id): m
        for m in session.execute(
            select(VaultMembership).where(VaultMembership.removed_at.is_(None))
        ).scalars()
    }


def sync(
    session: Session, clock: Clock, vault: Vault, *, actor: str, dry_run: bool = False
) -> SyncPlan:
    """Make account groups hold exactly the entities that grants give; returns the drift."""
    wanted = _wanted(session)
    people = {p.id: p for p in session.execute(select(Person)).scalars()}
    identities = {i.person_id: i for i in session.execute(select(VaultIdentity)).scalars()}
    by_entity = {i.entity_id: i.person_id for i in identities.values()}
    plan = SyncPlan()
    members_by_account: dict[int, set[int]] = {}
    for account in session.execute(select(Account).order_by(Account.name)).scalars():
        group_name = vault.paths.account_group(account.name)
        group = vault.identity.read_group(group_name)
        if group is None:
            plan.missing_groups.append(group_name)
            continue
        current = set(group.member_entity_ids)
        desired: dict[str, int] = {}
        for person_id in sorted(wanted.get(account.id, set())):
            identity = identities.get(person_id)
            if identity is not None and identity.disabled_at is not None:
                continue  # revoked by `vault revoke-person`: stays out
            if identity is None and not dry_run:
                identity = ensure_identity(session, clock, vault, people[person_id], actor=actor)
                identities[person_id] = identity
                by_entity[identity.entity_id] = person_id
            if identity is None or identity.entity_id not in current:
                plan.add.append((people[person_id].email, account.name))
            if identity is not None:
                desired[identity.entity_id] = person_id
        for entity_id in sorted(current - set(desired)):
            member = by_entity.get(entity_id)
            if member is None:
                plan.unknown.append((entity_id, account.name))
            else:
                plan.remove.append((people[member].email, account.name))
        if not dry_run and set(desired) != current:
            vault.identity.write_group(
                group_name,
                policies=[vault.paths.account_policy(account.name)],
                member_entity_ids=sorted(desired),
            )
        members_by_account[account.id] = set(desired.values())
    if dry_run:
        return plan
    _record_history(session, clock, members_by_account)
    if plan.drift:
        record(
            session,
            clock,
            actor=actor,
            action="vault.sync",
            target_type="vault",
            target=vault.paths.prefix,
            details=plan.to_dict(),
        )
    return plan


def _record_history(
    session: Session, clock: Clock, members_by_account: dict[int, set[int]]
) -> None:
    """Open and close ``VaultMembership`` rows so history matches the groups now."""
    now = clock.now()
    open_rows = _open_memberships(session)
    for (person_id, account_id), row in open_rows.items():
        if account_id in members_by_account and person_id not in members_by_account[account_id]:
            row.removed_at = now
    for account_id, members in members_by_account.items():
        for person_id in members:
            if (person_id, account_id) not in open_rows:
                session.add(
                    VaultMembership(person_id=person_id, account_id=account_id, added_at=now)
                )
    session.flush()
