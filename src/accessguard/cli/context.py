"""How commands get the App: built once by the root command, passed with ``pass_app``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from accessguard.app import App

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from accessguard.inventory.records import AccountRecord
    from accessguard.playbooks.hooks import RunHooks
    from accessguard.vault.facade import Vault


def build_app(*, config_path: Path | None, database_url: str | None, actor: str | None) -> App:
    """Load settings (file, environment, options) and build the App."""
    from accessguard.config import load_settings
    from accessguard.vault.audit_store import vault_audit

    settings = load_settings(config_path, overrides={"database.url": database_url, "actor": actor})
    app = App(settings=settings)
    app.audit = vault_audit(app)  # keyed and anchored in Vault when an address is configured
    return app


pass_app = click.make_pass_decorator(App)

#: Where the root command keeps the run hooks ``main`` was given (``ctx.meta``).
RUN_HOOKS = "accessguard.run_hooks"


def run_hooks() -> RunHooks | None:
    """The run hooks ``main`` was given (a test entry installing crash points); None normally."""
    hooks: RunHooks | None = click.get_current_context().meta.get(RUN_HOOKS)
    return hooks


@contextmanager
def account_in_vault(
    app: App, account_ref: str
) -> Iterator[tuple[Connection, Vault, AccountRecord]]:
    """What every creds/totp step needs: a transaction, the Vault client, the named account."""
    from accessguard.inventory.records import get_account_record
    from accessguard.vault.facade import open_vault

    vault = open_vault(app)
    with app.begin() as conn:
        yield conn, vault, get_account_record(conn, account_ref)


def before_long_run() -> None:
    """Keep the garbage collector off what is loaded now (modules, caches): ``gc.freeze``.

    Called by the commands that run playbooks, once the runner is imported. Those
    objects live until the process exits anyway; without this, every full collection
    during a run (and the one at exit) walks all of them again: about 0.07 s of a
    200-credential offboarding.
    """
    import gc

    gc.freeze()
    gc.enable()  # off since ``main`` (cli/main.py)
