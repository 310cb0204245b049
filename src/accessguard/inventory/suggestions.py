"""Not-found errors for people and accounts, with "did you mean ...?" hints.

A mistyped email or account name is the most common error of every command that
names one; the hint offers the closest names the inventory has (difflib), so the fix
is one copy-paste away. Functions take the caller's connection and never commit.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from sqlalchemy import Connection, select

from accessguard.db.tables import accounts as _ACCOUNTS
from accessguard.db.tables import people as _PEOPLE
from accessguard.errors import NotFoundError

#: How many close names a hint offers, and how close they must be (difflib's ratio).
_MAX_SUGGESTIONS = 3
_CUTOFF = 0.6


def close_names(wanted: str, names: Iterable[str]) -> list[str]:
    """The names closest to ``wanted`` (case-insensitive), best first, at most three."""
    by_lower = {name.lower(): name for name in names}
    found = difflib.get_close_matches(
        wanted.strip().lower(), list(by_lower), n=_MAX_SUGGESTIONS, cutoff=_CUTOFF
    )
    return [by_lower[name] for name in found]


def _did_you_mean(names: list[str]) -> str:
    return "did you mean " + " or ".join(f'"{name}"' for name in names) + "?"


def person_not_found(conn: Connection, email: str) -> NotFoundError:
    """The error for an email nobody in the inventory has, with the closest emails as a hint."""
    return _not_found(
        f"no person with email {email!r}",
        close_names(email, conn.scalars(select(_PEOPLE.c.email))),
        hint="see `accessguard people list`, or add them with `accessguard people add`",
        code="person-not-found",
    )


def account_not_found(conn: Connection, ref: str) -> NotFoundError:
    """The error for an account reference that names none, with the closest names as a hint."""
    return _not_found(
        f"no account {ref!r}",
        close_names(ref, conn.scalars(select(_ACCOUNTS.c.name))),
        hint="see `accessguard accounts list`; accounts are named by their name or platform:handle",
        code="account-not-found",
    )


def _not_found(message: str, close: list[str], *, hint: str, code: str) -> NotFoundError:
    """A not-found error whose hint starts with the closest names, when there are any."""
    return NotFoundError(
        message, hint=f"{_did_you_mean(close)} ({hint})" if close else hint, code=code
    )
