"""``accounts update`` and ``accounts archive``: plan a change, then apply exactly that plan.

An update is validated like ``accounts add`` and ``accounts import`` (the same field
rules, the connector and its settings vetted by the connectors layer's check), and
returns ``{field: [before, after]}``; a dry run stops there. An archived account keeps
its history (grants, audit, runs) but is out of service: hidden from lists, taking no
new grants, skipped by reconcile. Functions take the caller's connection and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, select, update

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import grants as _GRANTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.errors import ConflictError, InputError
from accessguard.inventory.accounts import (
    ConnectorCheck,
    company_email,
    company_phone,
    owner_emails,
    update_account,
)
from accessguard.inventory.changes_plan import field_diff, with_reason
from accessguard.inventory.records import (
    AccountRecord,
    account_to_dict,
    find_account_record,
    get_account_record,
    get_person_record,
)
from accessguard.inventory.validation import (
    check_choice,
    check_email,
    check_phone,
    check_text,
    optional_text,
)
from accessguard.inventory.vocab import CRITICALITIES


@dataclass(frozen=True)
class AccountUpdate:
    """What to change on an account; None leaves a field alone, "" clears an optional one."""

    handle: str | None = None
    display_name: str | None = None
    owner_email: str | None = None
    criticality: str | None = None
    recovery_email: str | None = None
    recovery_phone: str | None = None
    connector: str | None = None
    set_settings: dict[str, Any] = field(default_factory=dict)
    unset_settings: tuple[str, ...] = ()
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompanyContacts:
    """The company's email domains and phone prefixes (recovery contacts are judged by them)."""

    domains: Sequence[str] = ()
    phone_prefixes: Sequence[str] = ()


def _before_after(
    conn: Connection, account: AccountRecord, change: AccountUpdate
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The account's fields now and after ``change``, validated (``account_to_dict``'s shape)."""
    current = account_to_dict(account, owner_emails(conn, [account]).get(account.id))
    wanted = dict(current)
    if change.handle is not None:
        wanted["handle"] = check_text(change.handle, "handle", max_length=200)
        if not wanted["handle"]:
            raise InputError("--handle: must not be empty")
    if change.display_name is not None:
        wanted["display_name"] = optional_text(change.display_name, "display_name", max_length=200)
    if change.owner_email is not None:
        owner = change.owner_email.strip()
        wanted["owner"] = get_person_record(conn, owner).email if owner else None
    if change.criticality is not None:
        wanted["criticality"] = check_choice(change.criticality, CRITICALITIES, "criticality")
    if change.recovery_email is not None:
        mail = change.recovery_email.strip()
        wanted["recovery_email"] = check_email(mail, "recovery_email") if mail else None
    if change.recovery_phone is not None:
        phone = change.recovery_phone.strip()
        wanted["recovery_phone"] = check_phone(phone) if phone else None
    if change.connector is not None:
        wanted["connector"] = optional_text(change.connector.lower(), "connector", max_length=60)
    settings = {k: v for k, v in current["settings"].items() if k not in change.unset_settings}
    wanted["settings"] = settings | dict(change.set_settings)
    tags = set(current["tags"]) - {t.strip().lower() for t in change.remove_tags}
    tags |= {check_text(t, "tags", max_length=60).lower() for t in change.add_tags if t.strip()}
    wanted["tags"] = sorted(tags)
    return current, wanted


def plan_account_update(
    conn: Connection,
    ref: str,
    change: AccountUpdate,
    *,
    check_connector: ConnectorCheck | None = None,
) -> tuple[AccountRecord, dict[str, list[Any]]]:
    """The account and the fields ``change`` would alter: {field: [before, after]}.

    Refused (InputError, ConflictError) when a value is invalid, the connector or its
    settings do not pass ``check_connector``, the handle is another account's, or the
    account is archived.
    """
    account = get_account_record(conn, ref)
    if account.archived_at is not None:
        raise ConflictError(
            f"{account.name} is archived; an archived account is not changed",
            hint="its history stays readable with `accessguard accounts show`",
            code="account-archived",
        )
    current, wanted = _before_after(conn, account, change)
    if check_connector is not None:
        problems = check_connector(account.platform, wanted["connector"], wanted["settings"])
        if problems:
            where, message = problems[0]
            raise InputError(f"{'--connector' if where == 'connector' else '--setting'}: {message}")
    if wanted["handle"] != current["handle"]:
        other = find_account_record(conn, f"{account.platform}:{wanted['handle']}")
        if other is not None and other.id != account.id:
            raise ConflictError(
                f"{account.platform}:{wanted['handle']} is already account {other.name}"
            )
    return account, field_diff(current, wanted)


def apply_account_update(
    conn: Connection,
    clock: Clock,
    actor: str,
    account: AccountRecord,
    diff: dict[str, list[Any]],
    *,
    reason: str | None = None,
    company: CompanyContacts | None = None,
) -> None:
    """Write a planned update (``plan_account_update``'s diff), audited with ``reason``."""
    if not diff:
        return
    known = company or CompanyContacts()
    values: dict[str, Any] = {}
    for column, (_, after) in diff.items():
        if column == "owner":
            owner = get_person_record(conn, after) if after else None
            values["owner_id"] = owner.id if owner else None
        else:
            values[column] = after
        if column == "recovery_email":
            values["recovery_email_company"] = (
                company_email(after, known.domains) if after else None
            )
        if column == "recovery_phone":
            values["recovery_phone_company"] = (
                company_phone(after, known.phone_prefixes) if after else None
            )
    update_account(
        conn, account, values=values, changes=diff, clock=clock, actor=actor, reason=reason
    )


def active_holders(conn: Connection, account_id: int) -> list[str]:
    """Emails of the people holding an active grant on the account (revoke-pending included)."""
    query = (
        select(_PEOPLE.c.email)
        .join(_GRANTS, _GRANTS.c.person_id == _PEOPLE.c.id)
        .where(_GRANTS.c.account_id == account_id, _GRANTS.c.revoked_at.is_(None))
        .distinct()
        .order_by(_PEOPLE.c.email)
    )
    return list(conn.scalars(query))


def plan_archive(conn: Connection, ref: str) -> AccountRecord:
    """The account to archive; ConflictError while anyone still holds an active grant on it."""
    account = get_account_record(conn, ref)
    holders = active_holders(conn, account.id)
    if holders and account.archived_at is None:
        shown = ", ".join(holders[:3]) + (
            f" and {len(holders) - 3} more" if len(holders) > 3 else ""
        )
        raise ConflictError(
            f"{account.name} still has active grants ({shown}); nothing was archived",
            hint=f"end them first: `accessguard revoke PERSON {account.name} --reason TEXT`"
            " (or offboard the person), then archive again",
            code="account-has-grants",
        )
    return account


def archive_account(
    conn: Connection, clock: Clock, actor: str, account: AccountRecord, *, reason: str | None
) -> AccountRecord:
    """Stamp the account archived, audited; already archived is unchanged (returned as is)."""
    if account.archived_at is not None:
        return account
    now = clock.now()
    conn.execute(
        update(_ACCOUNTS)
        .where(_ACCOUNTS.c.id == account.id)
        .values(archived_at=now, updated_at=now)
    )
    record(
        conn,
        clock,
        actor=actor,
        action=AuditAction.ACCOUNT_ARCHIVE,
        target_type="account",
        target=account.name,
        details=with_reason({"archived_at": now.isoformat()}, reason),
    )
    return replace(account, archived_at=now)


def unarchive_account(
    conn: Connection, clock: Clock, actor: str, account: AccountRecord, *, reason: str | None
) -> AccountRecord:
    """Put an archived account back in service, audited; one in service is returned as is."""
    if account.archived_at is None:
        return account
    update_account(
        conn,
        account,
        values={"archived_at": None},
        changes={"archived_at": [account.archived_at.isoformat(), None]},
        clock=clock,
        actor=actor,
        reason=reason,
    )
    return replace(account, archived_at=None)
