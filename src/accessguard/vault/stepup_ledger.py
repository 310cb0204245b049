"""Each operator's step-up ledger in Vault KV (``<prefix>/_stepup/<operator>``).

The ledger holds the digests of the codes an operator used (one use per code) and the
times of refused codes (the lockout). It lives in Vault, not in the database: someone
who can write the database but holds no token for the tool's prefix can no longer
delete a row to replay a code or reset the lockout. Every change is a new KV version
written with check-and-set, so two commands racing with one code cannot both record it.

``_stepup`` starts with ``_``, which no account segment may (``paths.check_segment``),
so the ledger never meets an account's secret. The tool policy gives no ``delete`` on
KV data or metadata: the tool token can add versions but not remove the ledger.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from accessguard.errors import VaultError, VaultNotFoundError
from accessguard.vault.facade import Vault
from accessguard.vault.paths import check_segment


@dataclass(frozen=True)
class Ledger:
    """One operator's used codes (digest, when) and refused codes (when); ``version`` 0 is new."""

    uses: tuple[tuple[str, datetime], ...]
    failures: tuple[datetime, ...]
    version: int

    def used(self, digest: str) -> bool:
        """True if a code with ``digest`` was accepted before (and is still remembered)."""
        return any(seen == digest for seen, _ in self.uses)


class StepUpLedgers:
    """Read and write operators' ledgers through the tool's Vault token."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault

    def path(self, operator: str) -> str:
        """The KV path (relative to the mount) of ``operator``'s ledger."""
        return f"{self._vault.paths.prefix}/_stepup/{check_segment(operator, 'operator name')}"

    def read(self, operator: str) -> Ledger:
        """The operator's ledger; an empty one (at the current version) if none is readable."""
        path = self.path(operator)
        try:
            stored = self._vault.kv.read(path)
        except VaultNotFoundError:
            # Never written (version 0), or its current version was deleted by an admin:
            # check-and-set must then name the current version, not 0.
            meta = self._vault.kv.metadata(path)
            return Ledger((), (), meta.current_version if meta else 0)
        values = {key: value.reveal() for key, value in stored.values.items()}
        try:
            uses = tuple(
                (str(digest), datetime.fromisoformat(at))
                for digest, at in json.loads(values.get("uses") or "[]")
            )
            failures = tuple(
                datetime.fromisoformat(at) for at in json.loads(values.get("failures") or "[]")
            )
        except (TypeError, ValueError):
            raise VaultError(
                f"the step-up ledger at {self._vault.paths.kv_mount}/{path} is not one "
                "accessguard wrote",
                hint="an admin inspects it; step-up stays refused until it is readable",
                code="step-up-ledger-unreadable",
            ) from None
        return Ledger(uses, failures, stored.version)

    def write(self, operator: str, ledger: Ledger) -> int:
        """Store ``ledger`` as a new version if ``ledger.version`` is still current.

        Raises CasConflictError when another command wrote the ledger meanwhile.
        """
        values = {
            "uses": json.dumps([[digest, at.isoformat()] for digest, at in ledger.uses]),
            "failures": json.dumps([at.isoformat() for at in ledger.failures]),
        }
        return self._vault.kv.write(self.path(operator), values, cas=ledger.version)
