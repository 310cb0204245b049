"""Adopt a version written outside accessguard (``bao kv put``, the UI): `creds adopt`.

A shared login whose Vault path moved ahead of the inventory without a rotation key is
stuck: every rotation's check-and-set fails against it. Adopting shows what changed
(field names only, never values), then records that version as the active one, so
rotations work again. Versions written by an interrupted rotation are not adopted:
resuming that run records them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from accessguard.audit.actions import AuditAction
from accessguard.clock import Clock
from accessguard.credentials.compose import Covering, rotation_keys
from accessguard.credentials.custody_events import audit_login
from accessguard.credentials.records import CredentialRecord, get_credential
from accessguard.credentials.versions import activate_version, settled_metadata
from accessguard.errors import ConflictError
from accessguard.inventory.records import AccountRecord
from accessguard.results import ActionResult
from accessguard.vault.facade import Vault


@dataclass(frozen=True)
class Adoption:
    """What adopting would accept: versions and the names of the fields that changed."""

    account: str
    known_version: int
    version: int
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """The stable JSON shape (no values)."""
        return {
            "account": self.account,
            "known_version": self.known_version,
            "version": self.version,
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": list(self.changed),
        }

    def lines(self) -> list[str]:
        """What an operator reads before accepting (field names only)."""
        out = [
            f"{self.account}: Vault version {self.version} was written outside accessguard "
            f"(the inventory knows version {self.known_version})"
        ]
        for label, names in (
            ("added", self.added),
            ("removed", self.removed),
            ("changed", self.changed),
        ):
            out.append(f"  {label}: {', '.join(names) if names else '-'}")
        return out


def _not_adoptable(credential: CredentialRecord, account: str) -> None:
    if credential.pending:
        raise ConflictError(
            f"a rotation of {account} is pending (version {credential.current_version}); "
            "adopt after it is confirmed",
            hint=f"`accessguard creds confirm {account}` once the platform has it",
            code="rotation-pending",
        )


def preview(conn: Connection, *, vault: Vault, account: AccountRecord) -> Adoption:
    """What `creds adopt` would accept; ConflictError when there is nothing to adopt, or the
    newer version was written by a rotation (resume its run instead)."""
    credential = get_credential(conn, account)
    _not_adoptable(credential, account.name)
    known, path = credential.current_version, credential.vault_path
    latest, written = rotation_keys(vault, path, known=known)
    if latest <= known:
        raise ConflictError(
            f"nothing to adopt: Vault and the inventory agree on version {known} of {account.name}",
            code="nothing-to-adopt",
        )
    for version, key in written:
        if key is not None:
            covering = Covering.of(account.name, version, key)
            raise ConflictError(
                f"version {version} of {account.name} was written by an interrupted rotation, "
                "not outside accessguard: it is not adopted",
                hint=f"`{covering.record_command()}` records it",
                code="rotation-unrecorded",
            )
    old = vault.kv.read(path, known).public_values()
    new = vault.kv.read(path, latest).public_values()
    return Adoption(
        account.name,
        known,
        latest,
        added=tuple(sorted(set(new) - set(old))),
        removed=tuple(sorted(set(old) - set(new))),
        changed=tuple(sorted(k for k in set(old) & set(new) if old[k].reveal() != new[k].reveal())),
    )


def adopt(
    conn: Connection,
    clock: Clock,
    *,
    vault: Vault,
    account: AccountRecord,
    version: int,
    actor: str,
    reason: str | None = None,
    run_id: str | None = None,
) -> ActionResult:
    """Record Vault's ``version`` (the one the operator was shown) as the active one; audited.

    ``unchanged`` when the inventory already knows it; a conflict when Vault moved on
    since the preview (the operator must look again).
    """
    credential = get_credential(conn, account)
    if credential.current_version == version:
        return ActionResult.unchanged(
            f"{account.name} is already at version {version}", account=account.name
        )
    shown = preview(conn, vault=vault, account=account)
    if shown.version != version:
        raise ConflictError(
            f"Vault holds version {shown.version} of {account.name} now, not the version "
            f"{version} that was shown",
            hint=f"run `accessguard creds adopt {account.name}` again and review the change",
            code="adopt-moved",
        )
    why = reason or "adopted: written outside accessguard"
    now = clock.now()
    vault.kv.set_custom_metadata(
        credential.vault_path,
        settled_metadata(
            at=now,
            actor=actor,
            reason=why,
            run_id=run_id,
            account_id=str(account.id),
            adopted_from=str(shown.known_version),
        ),
    )
    activate_version(
        conn,
        clock,
        credential_id=credential.id,
        version=version,
        at=now,
        actor=actor,
        reason=why,
        run_id=run_id,
    )
    details = {**shown.to_dict(), "previous_version": shown.known_version, "reason": why}
    audit_login(conn, clock, AuditAction.CREDENTIAL_ADOPT, account, actor, details, run_id=run_id)
    return ActionResult.changed(
        f"{account.name}: version {version} (written outside accessguard) adopted as active",
        account=account.name,
        version=version,
        previous_version=shown.known_version,
    )
