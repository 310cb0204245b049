"""What a rotation reads before it touches Vault: its targets and the keys already recorded.

``rotation.py`` writes the new versions and records them; these reads happen first, in
a short transaction of their own, for one credential or a whole offboarding's at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from accessguard.credentials.versions import credential_not_found
from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import credential_versions as _VERSIONS
from accessguard.db.tables import credentials as _CREDENTIALS
from accessguard.errors import AccessGuardError
from accessguard.inventory.records import AccountRecord
from accessguard.results import ActionResult


@dataclass(frozen=True)
class RotationTarget:
    """What a rotation needs from the database, read in a short transaction.

    The Vault round trips happen between reading this and recording the result, outside
    any database transaction, so concurrent rotations do not queue on the database.
    """

    credential_id: int
    account_id: int
    account_name: str
    platform: str
    handle: str
    vault_path: str
    current_version: int
    pending: bool


def rotation_target(conn: Connection, account: AccountRecord) -> RotationTarget:
    """Read the credential of ``account`` (NotFoundError when none is stored)."""
    target = load_targets(conn, [account.id]).get(account.id)
    if target is None:  # the account row itself is gone
        raise credential_not_found(account.name)
    if isinstance(target, AccessGuardError):
        raise target
    return target


def load_targets(
    conn: Connection, account_ids: Sequence[int]
) -> dict[int, RotationTarget | AccessGuardError]:
    """``rotation_target`` for many accounts in one query (an account without a credential
    maps to its error; an account that no longer exists is left out)."""
    accounts, creds = _ACCOUNTS.c, _CREDENTIALS.c
    rows = conn.execute(
        select(
            accounts.id,
            accounts.name,
            accounts.platform,
            accounts.handle,
            creds.id.label("credential_id"),
            creds.vault_path,
            creds.current_version,
            creds.state,
        )
        .outerjoin(_CREDENTIALS, creds.account_id == accounts.id)
        .where(accounts.id.in_(account_ids))
    ).all()  # plain rows: an offboarding reads hundreds of targets
    found: dict[int, RotationTarget | AccessGuardError] = {}
    for row in rows:
        found[row.id] = (
            credential_not_found(row.name)
            if row.credential_id is None
            else RotationTarget(
                row.credential_id,
                row.id,
                row.name,
                row.platform,
                row.handle,
                row.vault_path,
                row.current_version,
                row.state == "rotation-pending",
            )
        )
    return found


def rotated_with(
    conn: Connection, credential_ids: Sequence[int], *, keys: Sequence[str]
) -> dict[str, int]:
    """The versions already recorded for these idempotency keys (of these credentials), by key."""
    versions = _VERSIONS.c
    rows = conn.execute(
        select(versions.idempotency_key, versions.version).where(
            versions.credential_id.in_(credential_ids), versions.idempotency_key.in_(keys)
        )
    ).all()
    return {str(key): int(version) for key, version in rows}


def rotated_already(target: RotationTarget, version: int) -> ActionResult:
    """``unchanged``: the credential was already rotated to ``version`` (by the same key)."""
    return ActionResult.unchanged(
        f"{target.account_name} was already rotated to version {version}",
        account=target.account_name,
        version=version,
    )


def already_rotated(conn: Connection, target: RotationTarget, *, key: str) -> ActionResult | None:
    """``unchanged`` when the database already records the rotation made with ``key``."""
    done = rotated_with(conn, [target.credential_id], keys=[key])
    return rotated_already(target, done[key]) if key in done else None
