"""Rotations that compose: a credential already pending from another rotation is covered by it.

Two offboardings that share a login must neither rotate it twice nor fail: the second
joins the rotation that is pending (read from the database, or found in Vault when the
two raced and the other won the check-and-set) and waits until it is confirmed. A
rotation's version carries its idempotency key (``RUN:STEP:ITEM`` for a run's item) in
its Vault data, which names the run to finish. A newer Vault version that carries no
key was written outside accessguard: an out-of-band write, accepted with ``creds adopt``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from accessguard.credentials.records import get_credential
from accessguard.credentials.versions import version_state
from accessguard.db.tables import credential_versions as _VERSIONS
from accessguard.db.tables import exposures as _EXPOSURES
from accessguard.errors import ConflictError, VaultNotFoundError
from accessguard.inventory.records import AccountRecord
from accessguard.results import ActionResult
from accessguard.vault.facade import Vault

#: Vault data field holding the idempotency key of the rotation that wrote the version.
KEY_FIELD = "_idempotency_key"


@dataclass(frozen=True)
class Covering:
    """The pending rotation of a credential: its version and the run item that wrote it."""

    account: str
    version: int
    key: str | None
    run_id: str | None = None
    step_id: str | None = None
    item_id: str | None = None

    @classmethod
    def of(cls, account: str, version: int, key: str | None, run_id: str | None = None) -> Covering:
        """A covering rotation; a key shaped ``RUN:STEP:ITEM`` names its run item."""
        parts = key.split(":") if key else []
        if len(parts) == 3 and parts[0].startswith("run-") and all(parts):
            return cls(account, version, key, parts[0], parts[1], parts[2])
        return cls(account, version, key, run_id)

    def finish_command(self) -> str:
        """The command that confirms this rotation once the platform has the new password."""
        # Only an offboarding's rotation item (``credential-N``) waits for a confirmation;
        # `creds rotate`'s run item (``account-N``) is done once Vault has the version.
        if self.run_id and self.step_id and (self.item_id or "").startswith("credential-"):
            return (
                f"accessguard runs confirm {self.run_id} {self.step_id} --item {self.item_id} "
                "--evidence 'changed on the platform'"
            )
        return f"accessguard creds confirm {self.account}"

    def record_command(self) -> str:
        """The command that records this rotation when its run was interrupted."""
        if self.run_id:
            return f"accessguard runs resume {self.run_id}"
        return f"accessguard creds rotate {self.account} --idempotency-key {self.key}"

    def describe(self) -> str:
        """``run R's rotation`` or ``a rotation``, for messages."""
        return f"run {self.run_id}'s rotation" if self.run_id else "a rotation"

    @classmethod
    def from_details(cls, account: str, details: Mapping[str, Any]) -> Covering:
        """The covering a joined item recorded (``to_details``)."""

        def text(name: str) -> str | None:
            value = details.get(name)
            return str(value) if value else None

        return cls(
            account,
            int(details["covered_version"]),
            None,
            text("covered_by_run"),
            text("covered_by_step"),
            text("covered_by_item"),
        )

    def to_details(self) -> dict[str, object]:
        """What a joined item records (no secret): which version and run cover it."""
        return {
            "covered_version": self.version,
            "covered_by_run": self.run_id,
            "covered_by_step": self.step_id,
            "covered_by_item": self.item_id,
        }


class CoveredError(ConflictError):
    """The credential's rotation is already pending from another rotation, which covers it."""

    def __init__(self, covering: Covering) -> None:
        super().__init__(
            f"a rotation of {covering.account} is already pending (version {covering.version}, "
            f"{covering.describe()}): once the platform has it, `{covering.finish_command()}`",
            hint=f"or undo it: `accessguard creds rollback {covering.account}`",
            code="rotation-pending",
        )
        self.covering = covering


def out_of_band(account: str, *, vault_version: int, known: int) -> ConflictError:
    """The error for a Vault version that accessguard did not write, with the fix."""
    return ConflictError(
        f"{account} was changed outside accessguard: Vault holds version {vault_version}, "
        f"the inventory knows version {known}; review and accept it with "
        f"`accessguard creds adopt {account}`",
        hint=f"`accessguard creds adopt {account}` shows what changed (field names only) "
        "and records that version",
        code="out-of-band-write",
    )


def pending_coverings(
    conn: Connection, pending: Sequence[tuple[int, int, str]]
) -> dict[int, Covering]:
    """The rotations pending on these credentials, as (credential id, version, account name).

    One query; a version row without a key (written before keys were kept) still
    covers, naming no run.
    """
    if not pending:
        return {}
    versions = _VERSIONS.c
    wanted = {credential_id: (version, name) for credential_id, version, name in pending}
    rows = conn.execute(
        select(
            versions.credential_id, versions.version, versions.idempotency_key, versions.run_id
        ).where(versions.credential_id.in_(list(wanted)))
    ).all()
    found: dict[int, Covering] = {}
    for credential_id, version, key, run_id in rows:
        if wanted[credential_id][0] == version:
            found[credential_id] = Covering.of(wanted[credential_id][1], version, key, run_id)
    for credential_id, (version, name) in wanted.items():
        found.setdefault(credential_id, Covering.of(name, version, None))
    return found


def seen_pending(conn: Connection, person_id: int, pending: Mapping[int, int]) -> set[int]:
    """Of these pending rotations (credential id -> pending version), those whose new
    version the person saw (revealed or entered): they are not covered by it."""
    if not pending:
        return set()
    exposures = _EXPOSURES.c
    rows = conn.execute(
        select(exposures.credential_id, exposures.version).where(
            exposures.person_id == person_id, exposures.credential_id.in_(list(pending))
        )
    ).all()
    return {credential_id for credential_id, version in rows if pending[credential_id] == version}


def newer_writes(vault: Vault, path: str, *, account: str, known: int) -> Covering | None:
    """What wrote the Vault versions after ``known``: the last rotation among them, or None.

    Raises the out-of-band error when any of them carries no rotation key (a ``bao kv
    put``, the UI, another tool). Deleted or destroyed versions are skipped.
    """
    latest, written = rotation_keys(vault, path, known=known)
    covering = None
    for version, key in written:
        if key is None:
            raise out_of_band(account, vault_version=latest, known=known)
        covering = Covering.of(account, version, key)
    return covering


def rotation_keys(
    vault: Vault, path: str, *, known: int
) -> tuple[int, list[tuple[int, str | None]]]:
    """Vault's latest version, and each readable version after ``known`` with the rotation
    key it carries (None: not written by a rotation)."""
    meta = vault.kv.metadata(path)
    latest = meta.current_version if meta else 0
    written: list[tuple[int, str | None]] = []
    for version in range(known + 1, latest + 1):
        try:
            stored = vault.kv.read(path, version)
        except VaultNotFoundError:
            continue
        key = stored.values.get(KEY_FIELD)
        written.append((version, key.reveal() if key is not None else None))
    return latest, written


#: Version states that mean a rotation to that version was confirmed (it became active).
CONFIRMED = frozenset({"active", "superseded"})


def confirmed(conn: Connection, account: AccountRecord, *, version: int) -> ActionResult | None:
    """``unchanged`` when the rotation to ``version`` was confirmed (by whichever run or
    command), else None: an item waiting for it is done without anyone confirming it again."""
    credential = get_credential(conn, account)
    if version_state(conn, credential.id, version) not in CONFIRMED:
        return None
    return ActionResult.unchanged(
        f"{account.name}: version {version} was confirmed; nothing was rotated again",
        account=account.name,
        version=version,
    )


def covered(conn: Connection, account: AccountRecord, covering: Covering) -> ActionResult:
    """Whether the rotation an item joined is done: ``unchanged`` once its version is active
    (or was, and a later version replaced it), else ``failed`` with what to do."""
    version = covering.version
    credential = get_credential(conn, account)
    state = version_state(conn, credential.id, version)
    if state in CONFIRMED:
        return ActionResult.unchanged(
            f"{account.name}: version {version} is active; it covers this item, nothing "
            "was rotated again",
            account=account.name,
            version=version,
        )
    if state == "pending":
        return ActionResult.failed(
            f"the rotation of {account.name} to version {version} is not confirmed yet: "
            f"confirm it first: `{covering.finish_command()}`",
            code="rotation-not-confirmed",
        )
    return ActionResult.failed(
        f"version {version} of {account.name} was {state or 'never recorded'}: the rotation "
        f"this item joined did not happen; rotate it (`accessguard creds rotate {account.name}`)",
        code="rotation-not-done",
    )
