"""ORM lookups for the code not yet moved to records; marked for deletion with ``models.py``.

The inventory's lookups are ``records.find_person_record`` / ``get_person_record`` and
``find_account_record`` / ``get_account_record``: these load the mapped object behind
the same rule, for the credentials, connectors, reports and playbook code that still
works on ``inventory.models`` (issue 15). Nothing in ``inventory/`` or ``audit/`` uses them.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from accessguard.inventory.models import Account, Person
from accessguard.inventory.records import (
    account_not_found,
    find_account_record,
    find_person_record,
    person_not_found,
)


def find_person(session: Session, email: str) -> Person | None:
    """The person with ``email``, or None."""
    found = find_person_record(session, email)
    return session.get(Person, found.id) if found is not None else None


def get_person(session: Session, email: str) -> Person:
    """The person with ``email``; NotFoundError with a hint otherwise."""
    person = find_person(session, email)
    if person is None:
        raise person_not_found(email)
    return person


def find_account(session: Session, ref: str) -> Account | None:
    """An account by its name, or by ``platform:handle``."""
    found = find_account_record(session, ref)
    return session.get(Account, found.id) if found is not None else None


def get_account(session: Session, ref: str) -> Account:
    """An account by name or ``platform:handle``; NotFoundError with a hint otherwise."""
    account = find_account(session, ref)
    if account is None:
        raise account_not_found(ref)
    return account
