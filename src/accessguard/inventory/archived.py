"""Archived accounts are out of service: commands that would act on one refuse it, by name.

``accounts archive`` keeps an account's history but takes it out of service; reconcile
does not ask its platform and a review campaign has nothing of it to review. Asked
for one by name, those commands refuse with this one error, pointing at ``unarchive``.
"""

from __future__ import annotations

from accessguard.errors import ConflictError
from accessguard.inventory.records import AccountRecord


def refuse_archived(account: AccountRecord, *, doing: str) -> AccountRecord:
    """``account`` when it is in service; ConflictError (nothing done) when it is archived."""
    if account.archived_at is None:
        return account
    since = account.archived_at.strftime("%Y-%m-%d")
    raise ConflictError(
        f"{account.name} is archived (since {since}): {doing}",
        hint=f"put it back in service first: accessguard accounts unarchive {account.name}",
        code="account-archived",
    )
