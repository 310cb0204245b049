"""Find people and accounts by what users type, with a helpful error when absent."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessguard.inventory.models import Account, Person
from accessguard.inventory.records import (
    account_not_found,
    find_account_record,
    normalise_email,
    person_not_found,
)


def find_person(session: Session, email: str) -> Person | None:
    """The person with ``email``, or None."""
    return session.execute(
        select(Person).where(Person.email == normalise_email(email))
    ).scalar_one_or_none()


def get_person(session: Session, email: str) -> Person:
    """The person with ``email``; NotFoundError with a hint otherwise."""
    person = find_person(session, email)
    if person is None:
        raise person_not_found(email)
    return person


def find_account(session: Session, ref: str) -> Account | None:
    """An account by its name, or by ``platform:handle`` (the rule of ``find_account_record``)."""
    found = find_account_record(session, ref)
    return session.get(Account, found.id) if found is not None else None


def get_account(session: Session, ref: str) -> Account:
    """An account by name or ``platform:handle``; NotFoundError with a hint otherwise."""
    account = find_account(session, ref)
    if account is None:
        raise account_not_found(ref)
    return account
