"""Password-manager exports read into entries: Bitwarden, 1Password, KeePass, plain CSV.

Every parser returns the file's login entries in file order, each naming where it came
from (``file:row`` or ``file:item N``) so an error can point at it without showing a
value. Values are wrapped in ``Secret`` as they are read. KeePass lives in
``import_keepass.py``; reading the file safely (0600, owned by the user) in
``importing.py``.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from accessguard.errors import InputError
from accessguard.secret import Secret


@dataclass(frozen=True)
class Entry:
    """One login read from an export. ``account`` is set when the file names the account
    itself (the plain CSV); otherwise the entry is matched by name, host and username."""

    where: str
    name: str
    hosts: tuple[str, ...]
    username: Secret | None
    password: Secret | None
    totp: Secret | None
    account: str | None = None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def secret_or_none(value: Any) -> Secret | None:
    text = _text(value)
    return Secret(text) if text else None


def host_of(uri: str) -> str | None:
    """The lower-case host of a login URL (``x.com`` for ``https://x.com/login`` or ``x.com``)."""
    uri = uri.strip()
    if not uri:
        return None
    parsed = urlparse(uri if "://" in uri else f"https://{uri}")
    host = (parsed.hostname or "").lower().rstrip(".")
    return host or None


def hosts_of(uris: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(h for h in map(host_of, uris) if h))


def _json(data: bytes, source: str) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(f"{source}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}: invalid JSON at line {exc.lineno}") from None


def bitwarden(data: bytes, source: str) -> list[Entry]:
    """A Bitwarden unencrypted JSON export: ``items[]`` of type 1 (login) with ``login``."""
    export = _json(data, source)
    if not isinstance(export, dict) or not isinstance(export.get("items"), list):
        raise InputError(f"{source}: not a Bitwarden JSON export (no items list)")
    if export.get("encrypted"):
        raise InputError(
            f"{source}: an encrypted Bitwarden export",
            hint="export again as 'JSON' (unencrypted), into a 0600 file",
        )
    entries = []
    for number, item in enumerate(export["items"], start=1):
        where = f"{source}:item {number}"
        if not isinstance(item, dict):
            raise InputError(f"{where}: not a JSON object")
        login = item.get("login")
        if item.get("type") != 1 or not isinstance(login, dict):
            continue  # secure notes, cards, identities: not logins
        uris = [_text(u.get("uri")) for u in login.get("uris") or [] if isinstance(u, dict)]
        entries.append(
            Entry(
                where=where,
                name=_text(item.get("name")),
                hosts=hosts_of(uris),
                username=secret_or_none(login.get("username")),
                password=secret_or_none(login.get("password")),
                totp=secret_or_none(login.get("totp")),
            )
        )
    return entries


def _onepux_fields(details: Mapping[str, Any]) -> tuple[Secret | None, Secret | None, Any]:
    """Username, password and TOTP of a 1PUX item's details."""
    username = password = None
    for field in details.get("loginFields") or []:
        if isinstance(field, dict) and field.get("designation") == "username":
            username = secret_or_none(field.get("value"))
        elif isinstance(field, dict) and field.get("designation") == "password":
            password = secret_or_none(field.get("value"))
    if password is None:
        password = secret_or_none(details.get("password"))
    totp = None
    for section in details.get("sections") or []:
        for field in (section or {}).get("fields") or []:
            value = (field or {}).get("value")
            if isinstance(value, dict) and _text(value.get("totp")):
                totp = value["totp"]
    return username, password, totp


def onepassword_1pux(data: bytes, source: str) -> list[Entry]:
    """A 1Password ``.1pux`` export: a zip whose ``export.data`` JSON holds accounts,
    vaults and items; login items (category ``001``) that are not archived or trashed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            payload = archive.read("export.data")
    except (zipfile.BadZipFile, KeyError):
        raise InputError(f"{source}: not a 1PUX export (a zip holding export.data)") from None
    export = _json(payload, f"{source}:export.data")
    entries = []
    items = (
        item
        for account in (export.get("accounts") or [] if isinstance(export, dict) else [])
        for vault in (account or {}).get("vaults") or []
        for item in (vault or {}).get("items") or []
    )
    for number, item in enumerate(items, start=1):
        where = f"{source}:item {number}"
        if not isinstance(item, dict):
            raise InputError(f"{where}: not a JSON object")
        if item.get("categoryUuid") != "001" or item.get("state", "active") != "active":
            continue
        overview = item.get("overview") or {}
        uris = [_text(overview.get("url"))]
        uris += [_text(u.get("url")) for u in overview.get("urls") or [] if isinstance(u, dict)]
        username, password, totp = _onepux_fields(item.get("details") or {})
        entries.append(
            Entry(
                where=where,
                name=_text(overview.get("title")),
                hosts=hosts_of(uris),
                username=username,
                password=password,
                totp=secret_or_none(totp),
            )
        )
    return entries


def csv_rows(data: bytes, source: str) -> Iterator[tuple[int, dict[str, str]]]:
    """``(row number, {lower-case header: value})`` of a CSV with a header line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{source}: not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        for row in reader:
            if any(cell.strip() for cell in row):
                if len(row) > len(header):
                    raise InputError(f"{source}:{reader.line_num}: more fields than the header")
                yield reader.line_num, dict(zip(header, row, strict=False))
    except csv.Error as exc:
        raise InputError(f"{source}:{reader.line_num}: {exc}") from None


def require_columns(header: Iterable[str], needed: set[str], source: str, *, hint: str) -> None:
    missing = sorted(needed - set(header))
    if missing:
        raise InputError(f"{source}: missing column(s) {', '.join(missing)}", hint=hint)


def onepassword_csv(data: bytes, source: str) -> list[Entry]:
    """1Password's CSV export: ``Title, Url, Username, Password, OTPAuth`` (others ignored)."""
    entries = []
    for line, row in csv_rows(data, source):
        require_columns(
            row, {"title", "password"}, source, hint="1Password's CSV has Title and Password"
        )
        if _text(row.get("archived")).lower() in ("true", "1", "yes"):
            continue
        entries.append(
            Entry(
                where=f"{source}:{line}",
                name=_text(row.get("title")),
                hosts=hosts_of([row.get("url") or row.get("website") or ""]),
                username=secret_or_none(row.get("username")),
                password=secret_or_none(row.get("password")),
                totp=secret_or_none(row.get("otpauth") or row.get("one-time password")),
            )
        )
    return entries


GENERIC_COLUMNS = ("account", "username", "password", "totp")


def generic_csv(data: bytes, source: str) -> list[Entry]:
    """The plain CSV: ``account,username,password,totp``; ``account`` names the inventory
    account (name or ``platform:handle``), so no matching is needed."""
    entries = []
    for line, row in csv_rows(data, source):
        require_columns(
            row, {"account", "password"}, source, hint=f"columns: {', '.join(GENERIC_COLUMNS)}"
        )
        account = _text(row.get("account"))
        entries.append(
            Entry(
                where=f"{source}:{line}",
                name=account,
                hosts=(),
                username=secret_or_none(row.get("username")),
                password=secret_or_none(row.get("password")),
                totp=secret_or_none(row.get("totp")),
                account=account,
            )
        )
    return entries
