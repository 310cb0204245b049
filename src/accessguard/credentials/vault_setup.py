"""`vault bootstrap` for the inventory: a policy and group for every account, audited."""

from __future__ import annotations

from sqlalchemy import Connection, select

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.clock import Clock
from accessguard.db import tables
from accessguard.vault.bootstrap import BootstrapReport, bootstrap
from accessguard.vault.facade import Vault


def bootstrap_vault(conn: Connection, clock: Clock, *, vault: Vault, actor: str) -> BootstrapReport:
    """Run the Vault bootstrap for every account in the inventory; audit what changed."""
    names = list(conn.execute(select(tables.accounts.c.name)).scalars())
    report = bootstrap(vault, names)
    if report.changed:
        record(
            conn,
            clock,
            actor=actor,
            action=AuditAction.VAULT_BOOTSTRAP,
            target_type="vault",
            target=vault.paths.prefix,
            details={"changed": [i for i in report.items if i["outcome"] != "unchanged"]},
        )
    return report
