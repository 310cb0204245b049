"""KeePass 2.x: its XML export, or a ``.kdbx`` database opened with pykeepass.

pykeepass (the ``keepass`` extra) decrypts a database to the same XML tree the export
writes, so one reader serves both. Entries in the recycle bin and history entries are
skipped. The TOTP seed is read where KeePass 2.47+ (``TimeOtp-Secret-Base32``) and
KeePassXC (``otp``, an ``otpauth://`` URI) keep it.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any

from accessguard.credentials.import_formats import Entry, hosts_of, secret_or_none
from accessguard.errors import InputError, UsageError
from accessguard.secret import Secret

#: The first four bytes of every .kdbx file (KeePass's signature 1).
KDBX_MAGIC = bytes.fromhex("03d9a29a")


def is_kdbx(data: bytes) -> bool:
    """True for a KeePass database (as opposed to its XML export)."""
    return data[:4] == KDBX_MAGIC


def _strings(entry: ET.Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for string in entry.findall("String"):
        key = string.findtext("Key")
        if key:
            found[key] = string.findtext("Value") or ""
    return found


def _recycle_bin(root: ET.Element) -> str | None:
    meta = root.find("Meta")
    if meta is None or (meta.findtext("RecycleBinEnabled") or "").lower() == "false":
        return None
    return (meta.findtext("RecycleBinUUID") or "").strip() or None


def _entries(group: ET.Element, recycle_bin: str | None) -> list[ET.Element]:
    """The group's entries and its subgroups', depth first, skipping the recycle bin."""
    if recycle_bin and (group.findtext("UUID") or "").strip() == recycle_bin:
        return []
    found = list(group.findall("Entry"))  # direct children only: never <History> entries
    for child in group.findall("Group"):
        found += _entries(child, recycle_bin)
    return found


def keepass_xml(data: bytes, source: str) -> list[Entry]:
    """A KeePass 2.x XML export (``KeePassFile/Root/Group/.../Entry/String``)."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise InputError(f"{source}: a DOCTYPE or entity declaration is refused in KeePass XML")
    try:
        root = ET.fromstring(data)  # noqa: S314 - no DOCTYPE, so no entity expansion
    except ET.ParseError as exc:
        raise InputError(f"{source}: invalid XML at line {exc.position[0]}") from None
    top = root.find("Root")
    if root.tag != "KeePassFile" or top is None:
        raise InputError(f"{source}: not a KeePass 2.x XML export (no KeePassFile/Root)")
    entries = []
    recycle_bin = _recycle_bin(root)
    for number, element in enumerate(
        (e for group in top.findall("Group") for e in _entries(group, recycle_bin)), start=1
    ):
        fields = _strings(element)
        totp = fields.get("otp") or fields.get("TimeOtp-Secret-Base32")
        entries.append(
            Entry(
                where=f"{source}:entry {number}",
                name=fields.get("Title", "").strip(),
                hosts=hosts_of([fields.get("URL", "")]),
                username=secret_or_none(fields.get("UserName")),
                password=secret_or_none(fields.get("Password")),
                totp=secret_or_none(totp),
            )
        )
    return entries


def kdbx_xml(data: bytes, source: str, *, password: Secret) -> bytes:
    """The decrypted XML of a ``.kdbx`` database (pykeepass; the key never leaves memory)."""
    try:
        from pykeepass import PyKeePass
        from pykeepass.exceptions import CredentialsError
    except ImportError:
        raise UsageError(
            f"{source}: reading a KeePass database needs pykeepass",
            hint="pip install 'accessguard[keepass]', or export the database as KeePass XML",
        ) from None
    try:
        database: Any = PyKeePass(io.BytesIO(data), password=password.reveal())
    except CredentialsError:
        raise InputError(f"{source}: wrong master password for the KeePass database") from None
    except Exception:  # construct and cryptography raise many types for a damaged file
        raise InputError(f"{source}: not a readable KeePass database") from None
    xml: bytes = database.xml()
    return xml
