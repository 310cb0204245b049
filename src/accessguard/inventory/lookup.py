"""Find people and accounts by what users type, with a helpful error when absent."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessguard.inventory.models import Account, Person
from accessguard.inventory.records import account_not_found, normalise_email, person_not_found

__all__ = ["find_account", "find_person", "get_account", "get_person", "normalise_email"]


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
    """An account by its name, or by ``platform:handle``."""
    ref = ref.strip()
    account = session.execute(select(Account).where(Account.name == ref)).scalar_one_or_none()
    if account is None and ":" in ref:
        platform, _, handle = ref.partition(":")
        account = session.execute(
            select(Account).where(Account.platform == platform, Account.handle == handle)
        ).scalar_one_or_none()
    return account


def get_account(session: Session, ref: str) -> Account:
    """An account by name or ``platform:handle``; NotFoundError with a hint otherwise."""
    account = find_account(session, ref)
    if account is None:
        raise account_not_found(ref)
    return account
