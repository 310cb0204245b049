"""`creds import`: shared logins and TOTP seeds from a password manager's export, all or nothing.

The export must be a regular file owned by the user with no group or other permission
bits (0600 or stricter); otherwise nothing is read. Every entry is read and matched,
and every matched one validated (a password, a well-formed seed, no pending rotation,
no seed already in custody, Vault not ahead of the inventory) before anything is
written: a bad entry raises one error naming ``file:row`` and nothing changes. Then
each login is stored with ``store.set_credential`` and each seed with
``totp.enroll`` (what `creds set` and `totp enroll` call), in one database transaction.

Matching, first rule that applies:

1. ``--map FILE`` (CSV ``entry,account``): the entry of that name goes to that account;
2. the plain CSV's ``account`` column names the account itself;
3. an entry named like an account (its name or ``platform:handle``, any case);
4. an entry whose login URL is on the platform's site (``LOGIN_DOMAINS``, or a host
   whose name is the platform's) and whose username is the account's handle (any case,
   ``@`` ignored).

Entries matching nothing are listed as unmatched and left alone; an account matched by
two entries, or an entry matching two accounts, is an error.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from accessguard.clock import Clock
from accessguard.credentials import import_formats as formats
from accessguard.credentials.import_formats import Entry
from accessguard.credentials.import_keepass import is_kdbx, kdbx_xml, keepass_xml
from accessguard.credentials.observers import operator
from accessguard.credentials.records import find_credential, find_totp_key
from accessguard.credentials.store import LoginValues, set_credential
from accessguard.credentials.totp import enroll, parse_seed
from accessguard.errors import ConflictError, InputError
from accessguard.inventory.accounts import list_accounts
from accessguard.inventory.records import AccountRecord
from accessguard.results import ActionResult
from accessguard.secret import Secret
from accessguard.vault.facade import Vault


class Source(StrEnum):
    """The password managers ``--from`` names."""

    BITWARDEN = "bitwarden"
    ONEPASSWORD = "1password"
    KEEPASS = "keepass"
    CSV = "csv"


#: Where each platform's people log in (a subdomain counts: ``business.facebook.com``).
LOGIN_DOMAINS: Mapping[str, tuple[str, ...]] = {
    "x": ("x.com", "twitter.com"),
    "twitter": ("x.com", "twitter.com"),
    "facebook": ("facebook.com",),
    "meta-business": ("facebook.com",),
    "instagram": ("instagram.com",),
    "threads": ("threads.net", "threads.com"),
    "linkedin": ("linkedin.com",),
    "tiktok": ("tiktok.com",),
    "youtube": ("youtube.com", "google.com"),
    "google-business-profile": ("google.com",),
    "pinterest": ("pinterest.com",),
    "reddit": ("reddit.com",),
    "bluesky": ("bsky.app",),
    "hootsuite": ("hootsuite.com",),
    "sprout-social": ("sproutsocial.com",),
}


#: Larger than any password manager's export of logins: refused rather than read into memory.
MAX_EXPORT_BYTES = 64 << 20


def read_private(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file of the user's with mode 0600 or
    stricter; else an InputError, before any byte is read (checked on the open file)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        reason = "a symbolic link" if os.path.islink(path) else exc.strerror
        raise InputError(f"{path}: cannot open it ({reason})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: not a regular file")
        if info.st_uid != os.geteuid():
            raise InputError(
                f"{path}: owned by another user; an export of secrets must be yours",
                hint="copy it to a file you own with mode 0600",
            )
        if info.st_size > MAX_EXPORT_BYTES:
            raise InputError(f"{path}: larger than {MAX_EXPORT_BYTES >> 20} MiB; not an export")
        if info.st_mode & 0o077:
            raise InputError(
                f"{path}: mode {stat.S_IMODE(info.st_mode):04o} lets others read it; "
                "the export must be 0600 or stricter",
                hint=f"chmod 600 {path}",
                code="file-too-open",
            )
        return handle.read()


def read_entries(
    path: Path, source: Source, *, master_password: Callable[[], Secret]
) -> list[Entry]:
    """The login entries of the export at ``path`` (``master_password`` asked for a .kdbx)."""
    data, name = read_private(path), str(path)
    if source is Source.BITWARDEN:
        return formats.bitwarden(data, name)
    if source is Source.ONEPASSWORD:
        if data[:2] == b"PK":
            return formats.onepassword_1pux(data, name)
        return formats.onepassword_csv(data, name)
    if source is Source.KEEPASS:
        if is_kdbx(data):
            data = kdbx_xml(data, name, password=master_password())
        return keepass_xml(data, name)
    return formats.generic_csv(data, name)


def read_map(path: Path) -> dict[str, tuple[str, str]]:
    """``--map``: CSV ``entry,account`` as ``{entry name (lower case): (where, account)}``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror})") from None
    mapping: dict[str, tuple[str, str]] = {}
    for line, row in formats.csv_rows(data, str(path)):
        formats.require_columns(row, {"entry", "account"}, str(path), hint="columns: entry,account")
        entry, account = (row.get("entry") or "").strip(), (row.get("account") or "").strip()
        if not entry or not account:
            raise InputError(f"{path}:{line}: an entry name and an account are required")
        mapping[entry.lower()] = (f"{path}:{line}", account)
    return mapping


@dataclass(frozen=True)
class ImportItem:
    """One entry bound for one account; ``totp`` is the parsed seed (or URI), if any."""

    entry: Entry
    account: AccountRecord
    password: Secret
    seed: Secret | None
    url: Secret | None

    @property
    def fields(self) -> list[str]:
        """The names (never the values) of what the import stores for the account."""
        names = ["username"] if self.entry.username else []
        return [*names, "password", *(["totp"] if self.seed or self.url else [])]


@dataclass(frozen=True)
class ImportPlan:
    """What an import would store, validated: printed by ``--dry-run``, then applied."""

    items: tuple[ImportItem, ...]
    unmatched: tuple[Entry, ...]

    def to_dict(self) -> dict[str, Any]:
        """Names only: entries, accounts and field names; never a value."""
        return {
            "matched": [
                {"entry": i.entry.name, "where": i.entry.where, "account": i.account.name}
                | {"fields": i.fields}
                for i in self.items
            ],
            "unmatched": [{"entry": e.name, "where": e.where} for e in self.unmatched],
        }


def _handle(value: str) -> str:
    return value.strip().lower().removeprefix("@")


def _on_site(host: str, platform: str) -> bool:
    domains = LOGIN_DOMAINS.get(platform, ())
    if any(host == d or host.endswith(f".{d}") for d in domains):
        return True
    labels = host.split(".")
    return len(labels) >= 2 and labels[-2] == platform.replace("-", "")


def _label(entry: Entry) -> str:
    return f"{entry.where} ({entry.name or 'unnamed'})"


class _Matcher:
    """The matching rules above, over the inventory's accounts."""

    def __init__(self, accounts: list[AccountRecord], mapping: Mapping[str, tuple[str, str]]):
        self.accounts = accounts
        self.by_name = {a.name.lower(): a for a in accounts}
        self.by_name |= {f"{a.platform}:{a.handle}".lower(): a for a in accounts}
        self.mapping = mapping
        for where, ref in mapping.values():
            if ref.lower() not in self.by_name:
                raise InputError(
                    f"{where}: no account {ref!r} in the inventory",
                    hint="see `accessguard accounts list`",
                )

    def account(self, entry: Entry) -> AccountRecord | None:
        mapped = self.mapping.get(entry.name.lower())
        if mapped is not None:
            return self.by_name[mapped[1].lower()]
        if entry.account is not None:
            found = self.by_name.get(entry.account.lower())
            if found is None:
                raise InputError(
                    f"{entry.where}: no account {entry.account!r} in the inventory",
                    hint="see `accessguard accounts list`",
                )
            return found
        if entry.name.lower() in self.by_name:
            return self.by_name[entry.name.lower()]
        username = _handle(entry.username.reveal()) if entry.username else ""
        candidates = [
            a
            for a in self.accounts
            if username
            and _handle(a.handle) == username
            and any(_on_site(h, a.platform) for h in entry.hosts)
        ]
        if len(candidates) > 1:
            names = ", ".join(a.name for a in candidates)
            raise InputError(
                f"{_label(entry)}: matches several accounts ({names})",
                hint="name the account in a --map file (entry,account)",
            )
        return candidates[0] if candidates else None


def _validated(conn: Connection, vault: Vault, entry: Entry, account: AccountRecord) -> ImportItem:
    """The entry as an import item, or the error that names it (nothing is written)."""
    if entry.password is None:
        raise InputError(f"{_label(entry)}: no password")
    seed = url = None
    if entry.totp is not None:
        try:
            seed, url = parse_seed(entry.totp.reveal())
        except InputError:
            raise InputError(
                f"{_label(entry)}: the TOTP field is not an otpauth://totp URI or a base32 "
                "seed of at least 128 bits"
            ) from None
        if find_totp_key(conn, account.id) is not None:
            raise ConflictError(
                f"{_label(entry)}: {account.name} already has a TOTP seed in Vault custody",
                hint=f"remove the seed from the file, or `accessguard totp regenerate {account.name}`",
                code="totp-exists",
            )
    credential = find_credential(conn, account.id)
    if credential is not None and credential.pending:
        raise ConflictError(
            f"{_label(entry)}: a rotation of {account.name} is pending",
            hint=f"`accessguard creds confirm {account.name}` or `creds rollback` first",
            code="rotation-pending",
        )
    if credential is not None:
        meta = vault.kv.metadata(credential.vault_path)
        if meta is not None and meta.current_version != credential.current_version:
            raise ConflictError(
                f"{_label(entry)}: Vault holds a version of {account.name} the inventory "
                "does not know",
                hint=f"see `accessguard creds status {account.name}`; `creds adopt` accepts it",
                code="vault-ahead",
            )
    return ImportItem(entry, account, entry.password, seed, url)


def plan_import(
    conn: Connection,
    *,
    vault: Vault,
    entries: list[Entry],
    mapping: Mapping[str, tuple[str, str]] | None = None,
) -> ImportPlan:
    """Match and validate every entry; raises on the first bad one, writes nothing."""
    matcher = _Matcher(list_accounts(conn), mapping or {})
    items: list[ImportItem] = []
    unmatched: list[Entry] = []
    taken: dict[int, Entry] = {}
    for entry in entries:
        account = matcher.account(entry)
        if account is None:
            unmatched.append(entry)
            continue
        if account.id in taken:
            raise InputError(
                f"{_label(entry)}: {account.name} is matched by {taken[account.id].where} too",
                hint="keep one entry per account, or name them in a --map file",
            )
        taken[account.id] = entry
        items.append(_validated(conn, vault, entry, account))
    return ImportPlan(tuple(items), tuple(unmatched))


def apply_import(
    conn: Connection,
    clock: Clock,
    *,
    vault: Vault,
    plan: ImportPlan,
    actor: str,
    reason: str,
) -> list[ActionResult]:
    """Store every planned login and seed, each audited as `creds set` / `totp enroll` are.

    The caller owns the transaction: a failure leaves the database as it was. Vault
    writes made before such a failure stay as versions the inventory does not know;
    accounts that had no login are simply written again by the next import.
    """
    person = operator(conn, actor)
    results = []
    for item in plan.items:
        values = {"password": item.password}
        if item.entry.username is not None:
            values["username"] = item.entry.username
        results.append(
            set_credential(
                conn,
                clock,
                vault=vault,
                account=item.account,
                values=LoginValues(values),
                actor=actor,
                operator=person,
                reason=reason,
            )
        )
        if item.seed is not None or item.url is not None:
            result, _ = enroll(
                conn,
                clock,
                vault=vault,
                account=item.account,
                actor=actor,
                seed=item.seed,
                url=item.url,
            )
            results.append(result)
    return results
