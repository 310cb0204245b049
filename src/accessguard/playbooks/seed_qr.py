"""`totp show-qr`: only a pending seed that a run issued and showed to nobody may be shown.

A pending seed issued by `totp regenerate` was shown on that operator's terminal, and one
whose run had a terminal (its item says ``qr_shown``) was shown there: someone may have
enrolled it already, so replacing it by a fresh one (which showing means, since Vault never
hands a seed back) could lock the platform out. Those are refused; the rest is
``credentials.totp_show.show_pending``.
"""

from __future__ import annotations

from sqlalchemy import Connection

from accessguard.clock import Clock
from accessguard.credentials.records import get_totp_key
from accessguard.credentials.totp_show import show_pending
from accessguard.errors import ConflictError, NotFoundError
from accessguard.inventory.records import AccountRecord, PersonRecord
from accessguard.playbooks.state import get_item
from accessguard.secret import Secret
from accessguard.vault.facade import Vault


def show_run_seed(
    conn: Connection,
    clock: Clock,
    *,
    vault: Vault,
    account: AccountRecord,
    person: PersonRecord,
    actor: str,
) -> Secret:
    """Show the pending seed a run issued without a terminal, once; refuse any other."""
    key = get_totp_key(conn, account)
    issued_by = key.pending_idempotency_key
    if key.pending_key_name and not issued_by:
        raise ConflictError(
            f"the pending 2FA seed of {account.name} was issued by `totp regenerate`, which "
            "showed it then; it is never shown twice",
            hint=f"to start over with a new seed: `accessguard totp regenerate {account.name}`",
            code="seed-already-shown",
        )
    if issued_by:
        run_id, _, rest = issued_by.partition(":")
        step_id, _, item_id = rest.partition(":")
        try:
            item = get_item(conn, run_id, step_id, item_id)
        except NotFoundError:
            item = None
        if item is not None and (item.result or {}).get("details", {}).get("qr_shown"):
            raise ConflictError(
                f"the pending 2FA seed of {account.name} was shown on the terminal of run "
                f"{run_id} and is never shown twice",
                hint=f"to start over with a new seed: `accessguard totp regenerate {account.name}`",
                code="seed-already-shown",
            )
    return show_pending(conn, clock, vault=vault, account=account, person=person, actor=actor)
