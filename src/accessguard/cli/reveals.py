"""What `creds reveal` and `totp code` share: who asks and why, step-up, then one transaction.

Both show a value to the operator and record it as that person's exposure: the
``--reason`` is required, ``--as`` must name the operator, a critical account asks
for step-up first, and the read and its record happen in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NamedTuple

import click

from accessguard.app import App
from accessguard.cli.context import account_in_vault
from accessguard.cli.option_names import Decorator
from accessguard.cli.options import reason_option
from accessguard.cli.stepup import step_up_check
from accessguard.cli.updates import stacked

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from accessguard.inventory.records import AccountRecord, PersonRecord
    from accessguard.vault.facade import Vault


class Reader(NamedTuple):
    """What a reveal works with: the transaction, Vault, the account and who sees the value."""

    conn: Connection
    vault: Vault
    account: AccountRecord
    person: PersonRecord


def reveal_options() -> Decorator:
    """``--reason`` (required) and ``--as PERSON`` of a command that shows a secret or code."""
    return stacked(
        reason_option(required=True, help="Why you need it (recorded)."),
        click.option(
            "--as",
            "as_email",
            metavar="PERSON",
            help="Must be you: the exposure is recorded against the operator who reveals.",
        ),
    )


@contextmanager
def revealing(
    app: App, account: str, step_up_code: str | None, *, why: str, as_email: str | None
) -> Iterator[Reader]:
    """Step-up for a critical ``account`` (``why``), then a transaction, Vault and who sees it."""
    from accessguard.credentials.observers import acting_person
    from accessguard.playbooks.stepup import require_for_account

    require_for_account(app, account, step_up_check(app, step_up_code), why=why)
    with account_in_vault(app, account) as (conn, client, acct):
        yield Reader(conn, client, acct, acting_person(conn, app.actor, as_email=as_email))
