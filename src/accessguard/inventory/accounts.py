"""Accounts: add, update, list, change owner; every change audited in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection, insert, select, update

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.errors import ConflictError, InputError
from accessguard.inventory.records import (
    AccountRecord,
    account_query,
    account_to_dict,
    find_account_record,
    get_person_record,
)
from accessguard.inventory.validation import (
    check_account_name,
    check_choice,
    check_email,
    check_phone,
    check_text,
    optional_text,
)
from accessguard.inventory.vocab import CRITICALITIES, PLATFORMS

#: Vets an account's connector and settings: ``(platform, connector, settings)`` ->
#: ``(field, message)`` problems, ``field`` being ``connector`` or ``settings``. The
#: connectors layer provides it (``connectors.settings.account_problems``); the
#: inventory sits below and never imports connectors.
ConnectorCheck = Callable[[str, str | None, Mapping[str, Any]], list[tuple[str, str]]]


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


def company_email(email: str, domains: Sequence[str]) -> bool:
    """True when the email is at one of the company's domains."""
    return email.rsplit("@", 1)[-1].lower() in {d.lower() for d in domains}


def company_phone(phone: str, prefixes: Sequence[str]) -> bool:
    """True when the phone number starts with one of the company's prefixes."""
    digits = phone.replace(" ", "").replace("-", "").replace("(", "").replace(")", "")
    return any(digits.startswith(p.replace(" ", "")) for p in prefixes)


def add_account(
    conn: Connection,
    clock: Clock,
    actor: str,
    data: AccountInput,
    *,
    company_domains: Sequence[str] = (),
    company_phone_prefixes: Sequence[str] = (),
    check_connector: ConnectorCheck | None = None,
) -> AccountRecord:
    """Validate and create an account; company ownership of recovery contacts is derived when unset.

    ``check_connector`` (the connectors layer's ``account_problems``) vets the connector
    name and its settings; its first problem is the error, and nothing is written.
    """
    # Names are case-insensitive: stored lower-case, so `NW-X` and `nw-x` are one account.
    name = check_account_name(data.name.strip().lower())
    platform = check_choice(data.platform, PLATFORMS, "platform")
    if check_connector is not None:
        problems = check_connector(platform, data.connector, data.settings or {})
        if problems:
            field, message = problems[0]
            option = "--connector" if field == "connector" else "--setting"
            raise InputError(f"{option}: {message}")
    handle = check_text(data.handle, "handle", max_length=200)
    if not handle:
        raise InputError("handle: must not be empty")
    if find_account_record(conn, name) is not None:
        raise ConflictError(f"an account named {name!r} already exists")
    if find_account_record(conn, f"{platform}:{handle}") is not None:
        raise ConflictError(f"{platform}:{handle} is already in the inventory")
    owner = get_person_record(conn, data.owner_email) if data.owner_email else None
    recovery_email = (
        check_email(data.recovery_email, "recovery_email") if data.recovery_email else None
    )
    recovery_phone = check_phone(data.recovery_phone) if data.recovery_phone else None
    email_company = data.recovery_email_company
    if email_company is None and recovery_email:
        email_company = company_email(recovery_email, company_domains)
    phone_company = data.recovery_phone_company
    if phone_company is None and recovery_phone:
        phone_company = company_phone(recovery_phone, company_phone_prefixes)
    values: dict[str, Any] = {
        "name": name,
        "platform": platform,
        "handle": handle,
        "display_name": optional_text(data.display_name, "display_name", max_length=200),
        "owner_id": owner.id if owner else None,
        "criticality": check_choice(data.criticality, CRITICALITIES, "criticality"),
        "recovery_email": recovery_email,
        "recovery_email_company": email_company,
        "recovery_phone": recovery_phone,
        "recovery_phone_company": phone_company,
        "connector": optional_text(data.connector, "connector", max_length=60),
        "settings": dict(data.settings),
        "tags": sorted({check_text(t, "tags", max_length=60) for t in data.tags if t.strip()}),
    }
    now = clock.now()
    account_id = conn.execute(
        insert(_ACCOUNTS).values(**values, created_at=now, updated_at=now).returning(_ACCOUNTS.c.id)
    ).scalar_one()
    account = AccountRecord(id=account_id, **values)
    record(
        conn,
        clock,
        actor=actor,
        action=AuditAction.ACCOUNT_ADD,
        target_type="account",
        target=account.name,
        details={"after": account_to_dict(account, owner.email if owner else None)},
    )
    return account


def update_account(
    conn: Connection,
    account: AccountRecord,
    *,
    values: dict[str, Any],
    changes: dict[str, list[Any]],
    clock: Clock,
    actor: str,
    reason: str | None = None,
) -> None:
    """Write ``values`` (column -> value) to the account and audit ``changes`` (field -> [before, after]).

    ``reason`` (why, from ``accounts update --reason``) is kept in the audit event.
    """
    conn.execute(
        update(_ACCOUNTS)
        .where(_ACCOUNTS.c.id == account.id)
        .values(**values, updated_at=clock.now())
    )
    record(
        conn,
        clock,
        actor=actor,
        action=AuditAction.ACCOUNT_UPDATE,
        target_type="account",
        target=account.name,
        details={"changes": changes} | ({"reason": reason} if reason else {}),
    )


class _Owned(Protocol):
    """What ``set_owner`` reads of an account."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def owner_id(self) -> int | None: ...


class _Owner(Protocol):
    """What ``set_owner`` reads of the new owner."""

    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str: ...


def set_owner(
    conn: Connection,
    clock: Clock,
    actor: str,
    account: _Owned,
    owner: _Owner,
    *,
    run_id: str | None = None,
) -> bool:
    """Make ``owner`` the account's owner; False if already so."""
    if account.owner_id == owner.id:
        return False
    before = None
    if account.owner_id is not None:
        before = conn.scalar(select(_PEOPLE.c.email).where(_PEOPLE.c.id == account.owner_id))
    conn.execute(
        update(_ACCOUNTS)
        .where(_ACCOUNTS.c.id == account.id)
        .values(owner_id=owner.id, updated_at=clock.now())
    )
    record(
        conn,
        clock,
        actor=actor,
        action=AuditAction.ACCOUNT_OWNER,
        target_type="account",
        target=account.name,
        run_id=run_id,
        details={"changes": {"owner": [before, owner.email]}},
    )
    return True


def owner_emails(conn: Connection, accounts: Sequence[AccountRecord]) -> dict[int, str]:
    """Map account id -> owner email for many accounts in one query."""
    ids = {a.owner_id for a in accounts if a.owner_id}
    if not ids:
        return {}
    people = conn.execute(select(_PEOPLE.c.id, _PEOPLE.c.email).where(_PEOPLE.c.id.in_(ids)))
    by_id = {pid: email for pid, email in people}
    return {a.id: by_id[a.owner_id] for a in accounts if a.owner_id in by_id}


def list_accounts(
    conn: Connection, *, platform: str | None = None, archived: bool = False
) -> list[AccountRecord]:
    """Accounts in service ordered by name (with ``archived``, the archived ones too)."""
    query = account_query().order_by(_ACCOUNTS.c.name)
    if not archived:
        query = query.where(_ACCOUNTS.c.archived_at.is_(None))
    if platform:
        query = query.where(_ACCOUNTS.c.platform == platform)
    return [AccountRecord(*row) for row in conn.execute(query)]
