"""Who administers an account and who takes it over when someone leaves: the handover rules.

An account stays under control while another active person holds an admin role on it
(a platform role, not a shared login), or its owner is active, or a successor is
named. People who are leaving or departed never count as remaining (``GOING``), nor do
the subjects of offboardings in flight (``going``: person ids the engine passes in). Offboarding plans refuse to leave an account uncovered (``handover``), the
engine refuses any run that would (``uncovered_accounts``), and the handover actions
re-check the rule (``admins_of``) on Core records.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import grants as _GRANTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.inventory.records import (
    AccountRecord,
    HeldAccount,
    HeldGrant,
    PersonRecord,
    account_query,
)
from accessguard.inventory.vocab import is_admin_role

#: People in these states never count as an account's remaining admin or owner.
GOING = ("leaving", "departed")


@dataclass(frozen=True, slots=True)
class Handover:
    """For one account the leaver owns or administers: who keeps it, who inherits ownership."""

    account_id: int
    account: str
    platform: str
    #: The leaver owns the account: ownership moves to ``inheritor``.
    owned: bool
    #: Other active people holding an admin role on it, by email.
    other_admins: tuple[str, ...]
    inheritor: str | None
    inheritor_is_admin: bool
    #: Someone keeps control: another admin, an active owner, or the successor.
    covered: bool


def get_account(session: Connection, account_id: int) -> AccountRecord | None:
    """The account with ``account_id`` (a plan item names its account by id), or None."""
    row = session.execute(account_query().where(_ACCOUNTS.c.id == account_id)).first()
    return AccountRecord(*row) if row is not None else None


def other_admins(
    session: Connection,
    person_id: int,
    account_ids: set[int],
    *,
    going: Collection[int] = (),
) -> dict[int, tuple[str, ...]]:
    """Account id -> other active people holding an admin role (not a shared login) on it.

    Leaving and departed people do not count, nor the people in ``going``.
    """
    found: dict[int, set[str]] = {account_id: set() for account_id in account_ids}
    if account_ids:
        grants, people = _GRANTS.c, _PEOPLE.c
        rows = session.execute(
            select(grants.account_id, grants.role, people.email)
            .join(_PEOPLE, people.id == grants.person_id)
            .where(
                grants.account_id.in_(account_ids),
                grants.revoked_at.is_(None),
                grants.via != "shared-login",
                people.id != person_id,
                people.id.notin_(list(going)),
                people.status.notin_(GOING),
            )
        )
        for account_id, role, email in rows:
            if is_admin_role(role):
                found[account_id].add(email)
    return {account_id: tuple(sorted(emails)) for account_id, emails in found.items()}


def admins_of(
    session: Connection, account_id: int, person_id: int, *, going: Collection[int] = ()
) -> tuple[str, ...]:
    """Other active people than ``person_id`` holding an admin role (not a shared login) on it."""
    return other_admins(session, person_id, {account_id}, going=going)[account_id]


def admins_among(
    session: Connection, account_ids: Collection[int], person_ids: Collection[int]
) -> dict[int, set[int]]:
    """Account id -> which of ``person_ids`` hold an admin role (not a shared login) on it."""
    found: dict[int, set[int]] = {}
    if account_ids and person_ids:
        grants = _GRANTS.c
        for account_id, person_id, role in session.execute(
            select(grants.account_id, grants.person_id, grants.role).where(
                grants.account_id.in_(list(account_ids)),
                grants.person_id.in_(list(person_ids)),
                grants.revoked_at.is_(None),
                grants.via != "shared-login",
            )
        ):
            if is_admin_role(role):
                found.setdefault(account_id, set()).add(person_id)
    return found


def handover(
    session: Connection,
    person: PersonRecord,
    successor: PersonRecord | None,
    *,
    grants: Sequence[tuple[HeldGrant, HeldAccount]],
    going: Collection[int] = (),
) -> list[Handover]:
    """For each account ``person`` owns or administers: who keeps it, who inherits ownership.

    ``grants`` are the person's active grants (``active_grants_for``). Admins and owners
    are read for all those accounts at once, not per account; accounts come by name.
    ``going``: people leaving in other runs, who keep nothing covered.
    """
    accounts_c, people = _ACCOUNTS.c, _PEOPLE.c
    owned = session.execute(
        select(accounts_c.id, accounts_c.name, accounts_c.platform, accounts_c.owner_id).where(
            accounts_c.owner_id == person.id,
            accounts_c.archived_at.is_(None),  # archived: out of service, nobody inherits it
        )
    ).all()
    accounts: dict[int, tuple[str, str, int | None]] = {
        a.id: (a.name, a.platform, a.owner_id) for a in owned
    }
    for grant, held in grants:
        if grant.is_admin and grant.via != "shared-login":
            accounts.setdefault(held.id, (held.name, held.platform, held.owner_id))
    admins_by_account = other_admins(session, person.id, set(accounts), going=going)
    owner_ids = {owner_id for _, _, owner_id in accounts.values() if owner_id}
    owners = (
        {
            p.id: p
            for p in session.execute(
                select(people.id, people.email, people.status).where(people.id.in_(owner_ids))
            )
        }
        if owner_ids
        else {}
    )
    result = []
    for account_id, (name, platform, owner_id) in sorted(accounts.items(), key=lambda a: a[1][0]):
        admins = admins_by_account[account_id]
        owner = owners.get(owner_id) if owner_id else None
        owned_by_subject = owner is not None and owner.id == person.id
        owner_ok = (
            owner is not None
            and not owned_by_subject
            and owner.status not in GOING
            and owner.id not in going
        )
        inheritor: str | None
        if owned_by_subject or owner is None:
            inheritor = successor.email if successor else (admins[0] if admins else None)
        else:
            inheritor = owner.email if owner_ok else (successor.email if successor else None)
        result.append(
            Handover(
                account_id=account_id,
                account=name,
                platform=platform,
                owned=owned_by_subject,
                other_admins=admins,
                inheritor=inheritor,
                inheritor_is_admin=inheritor in admins,
                covered=bool(admins) or owner_ok or successor is not None,
            )
        )
    return result


def uncovered_accounts(
    session: Connection,
    removed: set[int],
    *,
    leaving: int | None = None,
    going: Collection[int] = (),
) -> list[str]:
    """Accounts left with no active admin or owner once the grants ``removed`` end.

    Only accounts where a removed grant is an admin role (not a shared login) can lose
    their cover. An account stays covered by another active person's admin grant that
    is not removed, or by an active owner; ``leaving`` (a person all of whose grants go,
    an offboarding's subject) covers nothing, nor do leaving or departed people or the
    people in ``going``. Returns ``name (platform)``, by name.
    """
    return [
        f"{name} ({platform})"
        for _, name, platform in uncovered(session, removed, leaving=leaving, going=going)
    ]


def uncovered(
    session: Connection,
    removed: set[int],
    *,
    leaving: int | None = None,
    going: Collection[int] = (),
) -> list[tuple[int, str, str]]:
    """``uncovered_accounts`` as ``(account id, name, platform)``, by name."""
    grants, people, accounts = _GRANTS.c, _PEOPLE.c, _ACCOUNTS.c
    touched = {
        account_id
        for account_id, role, via in session.execute(
            select(grants.account_id, grants.role, grants.via).where(
                grants.id.in_(removed), grants.revoked_at.is_(None)
            )
        )
        if via != "shared-login" and is_admin_role(role)
    }
    if not touched:
        return []
    covered: set[int] = set()
    for account_id, grant_id, role, person_id in session.execute(
        select(grants.account_id, grants.id, grants.role, grants.person_id)
        .join(_PEOPLE, people.id == grants.person_id)
        .where(
            grants.account_id.in_(touched),
            grants.revoked_at.is_(None),
            grants.via != "shared-login",
            people.status.notin_(GOING),
        )
    ):
        keeps = grant_id not in removed and person_id != leaving and person_id not in going
        if keeps and is_admin_role(role):
            covered.add(account_id)
    orphans = []
    for account_id, name, platform, owner_status, owner_id in session.execute(
        select(accounts.id, accounts.name, accounts.platform, people.status, people.id)
        .outerjoin(_PEOPLE, people.id == accounts.owner_id)
        .where(accounts.id.in_(touched))
        .order_by(accounts.name)
    ):
        owner_ok = (
            owner_id is not None
            and owner_id != leaving
            and owner_id not in going
            and owner_status not in GOING
        )
        if account_id not in covered and not owner_ok:
            orphans.append((account_id, name, platform))
    return orphans
