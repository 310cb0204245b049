"""The writes behind a 2FA seed in custody: its ``totp_keys`` row and its Vault key name.

Shared by enrolment, regeneration and confirmation (``totp``) and the one-time showing
of a pending seed (``totp_show``). Functions take the caller's connection and never commit.
"""

from __future__ import annotations

from sqlalchemy import Connection, update

from accessguard.db import tables
from accessguard.inventory.records import AccountRecord
from accessguard.vault.facade import Vault


def update_key(conn: Connection, key_id: int, **values: object) -> None:
    """Set columns of one ``totp_keys`` row."""
    conn.execute(update(tables.totp_keys).where(tables.totp_keys.c.id == key_id).values(**values))


def free_key_name(vault: Vault, account: AccountRecord, *, generation: int) -> str:
    """The Vault key name of ``generation``, cleared of a key left by an interrupted write.

    Nothing refers to such a key and nobody saw its seed, so it is replaced.
    """
    name = vault.paths.totp_key(account.name, generation)
    if vault.totp.exists(name):
        vault.totp.delete(name)
    return name
