"""Password-manager exports built in the test, shaped as each manager writes them.

Shapes from the managers' documentation: Bitwarden's unencrypted JSON export
(``items[].login.{username,password,totp,uris[].uri}``, type 1 = login), 1Password's
1PUX (a zip holding ``export.data``: accounts -> vaults -> items, login category
``001``, ``details.loginFields[].designation``, the TOTP in a section field's
``value.totp``) and its CSV (``Title,Url,Username,Password,OTPAuth,...``), KeePass 2.x
XML (``KeePassFile/Root/Group/Entry/String{Key,Value}``; KeePassXC keeps the TOTP in
``otp``), a ``.kdbx`` written by pykeepass, and the plain CSV. No real secret anywhere.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from click.testing import CliRunner, Result

from accessguard.app import App
from accessguard.cli.main import cli


@dataclass(frozen=True)
class Login:
    """One login as a password manager holds it."""

    name: str
    url: str
    username: str
    password: str
    totp: str | None = None


SEED_X = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ"  # 160 bits, base32; made up for the test
SEED_IG = "KRUGS4ZANFZSAYJAORSXG5BAONSWKZBB"
X = Login(
    "brand-x",
    "https://x.com/i/flow/login",
    "brandx-login",
    "Xq7!import-pw-one-0001",
    f"otpauth://totp/X:brandx?secret={SEED_X}&issuer=X",
)
IG = Login(
    "Instagram (brand)",
    "https://www.instagram.com/accounts/login/",
    "Brand-IG",
    "Xq7!import-pw-two-0002",
    SEED_IG.lower()[:16] + " " + SEED_IG.lower()[16:],  # as some managers show it
)
BANK = Login("Personal bank", "https://bank.example/login", "me", "Xq7!never-imported-0003")
KDBX_PASSWORD = "correct horse battery staple (test only)"


def run(app: App, *args: str, input: str | None = None) -> Result:
    """Invoke the CLI on the App's database, as a user would (stderr kept apart)."""
    return CliRunner().invoke(
        cli, ["--db", app.settings.database_url, *args], input=input, catch_exceptions=False
    )


def bitwarden(logins: list[Login]) -> bytes:
    items = [
        {
            "id": f"0000000{n}-aaaa-bbbb-cccc-000000000000",
            "organizationId": None,
            "folderId": None,
            "type": 1,
            "reprompt": 0,
            "name": login.name,
            "notes": None,
            "favorite": False,
            "login": {
                "uris": [{"match": None, "uri": login.url}] if login.url else [],
                "username": login.username,
                "password": login.password,
                "totp": login.totp,
            },
            "collectionIds": None,
        }
        for n, login in enumerate(logins)
    ]
    note = {"id": "note", "type": 2, "name": "A secure note", "secureNote": {"type": 0}}
    return json.dumps({"encrypted": False, "folders": [], "items": [note, *items]}).encode()


def onepux(logins: list[Login]) -> bytes:
    def item(n: int, login: Login) -> dict[str, object]:
        sections = []
        if login.totp:
            field = {"title": "one-time password", "id": f"TOTP_{n}", "value": {"totp": login.totp}}
            sections.append({"title": "", "name": "add more", "fields": [field]})
        return {
            "uuid": f"item{n}",
            "favIndex": 0,
            "createdAt": 1700000000,
            "updatedAt": 1700000000,
            "state": "active",
            "categoryUuid": "001",
            "details": {
                "loginFields": [
                    {"value": login.username, "id": "", "name": "username", "fieldType": "T",
                     "designation": "username"},
                    {"value": login.password, "id": "", "name": "password", "fieldType": "P",
                     "designation": "password"},
                ],
                "sections": sections,
                "passwordHistory": [],
            },
            "overview": {
                "title": login.name,
                "url": login.url,
                "urls": [{"label": "", "url": login.url}] if login.url else [],
                "tags": [],
            },
        }  # fmt: skip

    export = {
        "accounts": [
            {
                "attrs": {"accountName": "Example", "name": "Example", "uuid": "ACC"},
                "vaults": [
                    {
                        "attrs": {"uuid": "v1", "name": "Shared", "type": "U"},
                        "items": [item(n, login) for n, login in enumerate(logins)],
                    }
                ],
            }
        ]
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("export.attributes", json.dumps({"version": 3}))
        archive.writestr("export.data", json.dumps(export))
    return buffer.getvalue()


def onepassword_csv(logins: list[Login]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Title", "Url", "Username", "Password", "OTPAuth", "Favorite", "Archived",
                     "Tags", "Notes"])  # fmt: skip
    for login in logins:
        writer.writerow(
            [login.name, login.url, login.username, login.password, login.totp or "", "false",
             "false", "", ""]
        )  # fmt: skip
    return out.getvalue().encode()


def keepass_xml(logins: list[Login]) -> bytes:
    def string(key: str, value: str) -> str:
        return f"<String><Key>{key}</Key><Value>{escape(value)}</Value></String>"

    entries = []
    for n, login in enumerate(logins):
        fields = string("Title", login.name) + string("UserName", login.username)
        fields += string("Password", login.password) + string("URL", login.url)
        if login.totp:
            fields += string("otp", login.totp)
        old = string("Title", login.name) + string("Password", "an-old-password-in-history")
        entries.append(
            f"<Entry><UUID>e{n}</UUID>{fields}<History><Entry>{old}</Entry></History></Entry>"
        )
    binned = f"<Entry><UUID>gone</UUID>{string('Title', 'deleted one')}</Entry>"
    return (
        '<?xml version="1.0" encoding="utf-8" standalone="yes"?>'
        "<KeePassFile><Meta><Generator>KeePass</Generator><RecycleBinEnabled>True"
        "</RecycleBinEnabled><RecycleBinUUID>bin</RecycleBinUUID></Meta><Root><Group>"
        f"<UUID>root</UUID><Name>Database</Name>{''.join(entries)}"
        f"<Group><UUID>bin</UUID><Name>Recycle Bin</Name>{binned}</Group>"
        "</Group><DeletedObjects/></Root></KeePassFile>"
    ).encode()


def kdbx(logins: list[Login], *, master_password: str, path: Path) -> bytes:
    """A KeePass database (KDBX 4) holding ``logins``, written by pykeepass."""
    from pykeepass import create_database

    database = create_database(str(path), password=master_password)
    for login in logins:
        database.add_entry(
            database.root_group,
            login.name,
            login.username,
            login.password,
            url=login.url or None,
            otp=login.totp,
        )
    database.save()
    data = path.read_bytes()
    path.unlink()
    return data


def generic_csv(logins: list[Login]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["account", "username", "password", "totp"])
    for login in logins:
        writer.writerow([login.name, login.username, login.password, login.totp or ""])
    return out.getvalue().encode()


def write_private(path: Path, data: bytes, mode: int = 0o600) -> Path:
    """Write an export as a user would keep it (0600 unless told)."""
    path.write_bytes(data)
    path.chmod(mode)
    return path
