"""``accounts import``: add new accounts and update changed ones, all or nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from accessguard.clock import Clock
from accessguard.errors import InputError
from accessguard.inventory.account_changes import CompanyContacts, apply_account_update
from accessguard.inventory.accounts import (
    AccountInput,
    ConnectorCheck,
    add_account,
    list_accounts,
)
from accessguard.inventory.csvinput import (
    Change,
    Problems,
    Row,
    optional_value,
    read_rows,
    required_value,
)
from accessguard.inventory.people import list_people
from accessguard.inventory.records import account_to_dict
from accessguard.inventory.validation import (
    check_account_name,
    check_choice,
    check_email,
    check_phone,
    check_text,
    optional_text,
)
from accessguard.inventory.vocab import CRITICALITIES, PLATFORMS

ACCOUNT_REQUIRED = ("name", "platform", "handle")
ACCOUNT_OPTIONAL = (
    "display_name",
    "owner",
    "criticality",
    "recovery_email",
    "recovery_phone",
    "connector",
    "tags",
    "settings",
)


def _parse_tags(value: str) -> list[str]:
    tags = {check_text(t, "tags", max_length=60).lower() for t in value.split(";")}
    return sorted(tags - {""})


def _no_constant(name: str) -> Any:
    raise InputError(f"not valid JSON ({name} is not a JSON number)")


def _parse_settings(value: str) -> dict[str, Any]:
    if not value:
        return {}
    try:
        data = json.loads(value, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise InputError("not valid JSON (nested too deeply)") from None
    if not isinstance(data, dict):
        raise InputError('must be a JSON object, e.g. {"page_id": "123"}')
    return data


def _parse_account(problems: Problems, row: Row) -> AccountInput | None:
    before = len(problems.items)
    name = problems.check(row, "name", lambda v: check_account_name(v.lower()))
    platform = problems.check(row, "platform", lambda v: check_choice(v, PLATFORMS, "platform"))
    handle = problems.check(
        row, "handle", lambda v: required_value("handle")(check_text(v, "handle", max_length=200))
    )
    display_name = problems.check(
        row, "display_name", lambda v: optional_text(v, "display_name", max_length=200)
    )
    connector = problems.check(
        row, "connector", lambda v: optional_text(v.lower(), "connector", max_length=60)
    )
    tags = problems.check(row, "tags", _parse_tags)
    owner = problems.check(row, "owner", optional_value(lambda v: check_email(v, "owner")))
    criticality = problems.check(
        row,
        "criticality",
        lambda v: check_choice(v or "medium", CRITICALITIES, "criticality"),
    )
    email = problems.check(
        row, "recovery_email", optional_value(lambda v: check_email(v, "recovery_email"))
    )
    phone = problems.check(row, "recovery_phone", optional_value(check_phone))
    settings = problems.check(row, "settings", _parse_settings)
    if len(problems.items) > before or not (name and platform and handle and criticality):
        return None
    return AccountInput(
        name=name,
        platform=platform,
        handle=handle,
        display_name=display_name,
        owner_email=owner,
        criticality=criticality,
        recovery_email=email,
        recovery_phone=phone,
        connector=connector,
        settings=settings or {},
        tags=tags or [],
    )


_ACCOUNT_FIELDS = (
    "display_name",
    "owner",
    "criticality",
    "recovery_email",
    "recovery_phone",
    "connector",
    "settings",
    "tags",
    "handle",
)


def _account_values(data: AccountInput) -> dict[str, Any]:
    return {
        "display_name": data.display_name,
        "owner": data.owner_email,
        "criticality": data.criticality,
        "recovery_email": data.recovery_email,
        "recovery_phone": data.recovery_phone,
        "connector": data.connector,
        "settings": dict(data.settings),
        "tags": list(data.tags),
        "handle": data.handle,
    }


def import_accounts(
    conn: Connection,
    clock: Clock,
    actor: str,
    path: Path,
    *,
    dry_run: bool = False,
    company_domains: Sequence[str] = (),
    company_phone_prefixes: Sequence[str] = (),
    check_connector: ConnectorCheck | None = None,
) -> list[Change]:
    """Add new accounts and update changed ones (matched by name); all or nothing.

    ``check_connector`` vets each row's connector and settings (``file:row:column``
    problems, like every other column's).
    """
    problems, rows = read_rows(path, required=ACCOUNT_REQUIRED, optional=ACCOUNT_OPTIONAL)
    people = {p.email: p for p in list_people(conn)}
    # Archived accounts too (their names stay taken); keyed lower-case: names are case-insensitive.
    accounts = {a.name.lower(): a for a in list_accounts(conn, archived=True)}
    by_handle = {(a.platform, a.handle): name for name, a in accounts.items()}
    seen_names: dict[str, int] = {}
    seen_handles: dict[tuple[str, str], int] = {}
    parsed: list[tuple[int, AccountInput]] = []
    for row in rows:
        data = _parse_account(problems, row)
        if data is None:
            continue
        if check_connector is not None:
            for column, message in check_connector(data.platform, data.connector, data.settings):
                problems.add(row.line, column, message)
        key = (data.platform, data.handle)
        if data.name in seen_names:
            problems.add(
                row.line, "name", f"{data.name} already appears on row {seen_names[data.name]}"
            )
        elif key in seen_handles:
            problems.add(
                row.line,
                "handle",
                f"{data.platform}:{data.handle} already appears on row {seen_handles[key]}",
            )
        elif data.owner_email and data.owner_email not in people:
            problems.add(
                row.line, "owner", f"unknown owner {data.owner_email} (import people first)"
            )
        elif data.name in accounts and accounts[data.name].archived_at is not None:
            problems.add(row.line, "name", f"{data.name} is archived; it is not changed by import")
        elif data.name in accounts and accounts[data.name].platform != data.platform:
            problems.add(
                row.line,
                "platform",
                f"{data.name} is a {accounts[data.name].platform} account; the platform cannot change",
            )
        elif by_handle.get(key, data.name) != data.name:
            problems.add(
                row.line,
                "handle",
                f"{data.platform}:{data.handle} is already account {by_handle[key]}",
            )
        else:
            seen_names[data.name] = row.line
            seen_handles[key] = row.line
            parsed.append((row.line, data))
    problems.raise_if_any()
    owners = {p.id: p.email for p in people.values()}
    # Columns left out of the file leave those fields alone on existing accounts.
    columns = set(rows[0].values) if rows else set()
    plan: list[tuple[Change, AccountInput]] = []
    for line, data in parsed:
        wanted = _account_values(data)
        current = accounts.get(data.name)
        if current is None:
            fields = {
                "platform": [None, data.platform],
                **{k: [None, v] for k, v in wanted.items()},
            }
            plan.append((Change("account", "add", data.name, fields, line), data))
            continue
        have = account_to_dict(current, owners.get(current.owner_id or -1))
        diff = {
            k: [have[k], wanted[k]]
            for k in _ACCOUNT_FIELDS
            if k in columns and have[k] != wanted[k]
        }
        if diff:
            plan.append((Change("account", "update", data.name, diff, line), data))
    if not dry_run:
        for change, data in plan:
            if change.action == "add":
                add_account(
                    conn,
                    clock,
                    actor,
                    data,
                    company_domains=company_domains,
                    company_phone_prefixes=company_phone_prefixes,
                )
            else:
                apply_account_update(
                    conn,
                    clock,
                    actor,
                    accounts[data.name],
                    change.fields,
                    company=CompanyContacts(company_domains, company_phone_prefixes),
                )
    return [change for change, _ in plan]
