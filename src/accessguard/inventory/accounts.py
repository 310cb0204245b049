"""Accounts: add and list, audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.errors import ConflictError, InputError
from accessguard.inventory.lookup import find_account, get_person
from accessguard.inventory.models import Account, Person
from accessguard.inventory.validation import (
    check_account_name,
    check_choice,
    check_email,
    check_phone,
    check_text,
    optional_text,
)
from accessguard.inventory.vocab import CRITICALITIES, PLATFORMS


@dataclass(frozen=True)
class AccountInput:
    """Fields for a new account, as typed by a user or read from a CSV row."""

    name: str
    platform: str
    handle: str
    display_name: str | None = None
    owner_email: str | None = None
    criticality: str = "medium"
    recovery_email: str | None = None
    recovery_email_company: bool | None = None
    recovery_phone: str | None = None
    recovery_phone_company: bool | None = None
    connector: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)


def _company_email(email: str, domains: Sequence[str]) -> bool:
    return email.rsplit("@", 1)[-1].lower() in {d.lower() for d in domains}


def _company_phone(phone: str, prefixes: Sequence[str]) -> bool:
    digits = phone.replace(" ", "").replace("-", "").replace("(", "").replace(")", "")
    return any(digits.startswith(p.replace(" ", "")) for p in prefixes)


def add_account(
    session: Session,
    clock: Clock,
    actor: str,
    data: AccountInput,
    *,
    company_domains: Sequence[str] = (),
    company_phone_prefixes: Sequence[str] = (),
) -> Account:
    """Validate and create an account; company ownership of recovery contacts is derived when unset."""
    name = check_account_name(data.name.strip())
    platform = check_choice(data.platform, PLATFORMS, "platform")
    handle = check_text(data.handle, "handle", max_length=200)
    if not handle:
        raise InputError("handle: must not be empty")
    if find_account(session, name) is not None:
        raise ConflictError(f"an account named {name!r} already exists")
    if find_account(session, f"{platform}:{handle}") is not None:
        raise ConflictError(f"{platform}:{handle} is already in the inventory")
    owner: Person | None = get_person(session, data.owner_email) if data.owner_email else None
    recovery_email = (
        check_email(data.recovery_email, "recovery_email") if data.recovery_email else None
    )
    recovery_phone = check_phone(data.recovery_phone) if data.recovery_phone else None
    email_company = data.recovery_email_company
    if email_company is None and recovery_email:
        email_company = _company_email(recovery_email, company_domains)
    phone_company = data.recovery_phone_company
    if phone_company is None and recovery_phone:
        phone_company = _company_phone(recovery_phone, company_phone_prefixes)
    now = clock.now()
    account = Account(
        name=name,
        platform=platform,
        handle=handle,
        display_name=optional_text(data.display_name, "display_name", max_length=200),
        owner_id=owner.id if owner else None,
        criticality=check_choice(data.criticality, CRITICALITIES, "criticality"),
        recovery_email=recovery_email,
        recovery_email_company=email_company,
        recovery_phone=recovery_phone,
        recovery_phone_company=phone_company,
        connector=optional_text(data.connector, "connector", max_length=60),
        settings=dict(data.settings),
        tags=sorted({check_text(t, "tags", max_length=60) for t in data.tags if t.strip()}),
        created_at=now,
        updated_at=now,
    )
    session.add(account)
    session.flush()
    record(
        session,
        clock,
        actor=actor,
        action="account.add",
        target_type="account",
        target=account.name,
        details={"after": account.to_dict(owner.email if owner else None)},
    )
    return account


def set_owner(
    session: Session,
    clock: Clock,
    actor: str,
    account: Account,
    owner: Person,
    *,
    run_id: str | None = None,
) -> bool:
    """Make ``owner`` the account's owner; False if already so."""
    if account.owner_id == owner.id:
        return False
    before = session.get(Person, account.owner_id).email if account.owner_id else None  # type: ignore[union-attr]
    account.owner_id = owner.id
    account.updated_at = clock.now()
    session.flush()
    record(
        session,
        clock,
        actor=actor,
        action="account.owner",
        target_type="account",
        target=account.name,
        run_id=run_id,
        details={"changes": {"owner": [before, owner.email]}},
    )
    return True


def owner_emails(session: Session, accounts: Sequence[Account]) -> dict[int, str]:
    """Map account id -> owner email for many accounts in one query."""
    ids = {a.owner_id for a in accounts if a.owner_id}
    if not ids:
        return {}
    people = session.execute(select(Person.id, Person.email).where(Person.id.in_(ids))).all()
    by_id = {pid: email for pid, email in people}
    return {a.id: by_id[a.owner_id] for a in accounts if a.owner_id in by_id}


def list_accounts(session: Session, *, platform: str | None = None) -> Sequence[Account]:
    """Accounts ordered by name."""
    query = select(Account).order_by(Account.name)
    if platform:
        query = query.where(Account.platform == platform)
    return session.execute(query).scalars().all()
