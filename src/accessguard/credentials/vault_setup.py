"""`vault bootstrap` for the inventory: a policy and group for every account, audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.inventory.models import Account
from accessguard.vault.bootstrap import BootstrapReport, bootstrap
from accessguard.vault.facade import Vault


def bootstrap_vault(session: Session, clock: Clock, vault: Vault, *, actor: str) -> BootstrapReport:
    """Run the Vault bootstrap for every account in the inventory; audit what changed."""
    names = list(session.execute(select(Account.name)).scalars())
    report = bootstrap(vault, names)
    if report.changed:
        record(
            session,
            clock,
            actor=actor,
            action="vault.bootstrap",
            target_type="vault",
            target=vault.paths.prefix,
            details={"changed": [i for i in report.items if i["outcome"] != "unchanged"]},
        )
    return report
