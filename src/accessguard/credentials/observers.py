"""Who observes a secret (the operator, or the person named with ``--as``) and why.

An observed exposure names a person of the inventory and a reason; these resolve both.
"""

from __future__ import annotations

from sqlalchemy import Connection

from accessguard.errors import InputError, NotFoundError
from accessguard.inventory.records import PersonRecord, find_person_record, get_person_record


def operator(conn: Connection, actor: str) -> PersonRecord | None:
    """The inventory person behind ``actor`` when the actor is an email, else None."""
    return find_person_record(conn, actor) if "@" in actor else None


def acting_person(conn: Connection, actor: str, *, as_email: str | None = None) -> PersonRecord:
    """The person who sees a secret: ``as_email``, else the actor's email."""
    if as_email:
        return get_person_record(conn, as_email)
    person = operator(conn, actor)
    if person is None:
        raise NotFoundError(
            f"the operator {actor!r} is not a person in the inventory",
            hint="pass --as EMAIL (the person who will see the secret), or set the actor "
            "(--actor / ACCESSGUARD_ACTOR) to your email",
            code="operator-unknown",
        )
    return person


def require_reason(reason: str | None) -> str:
    """A non-empty reason (reveals and codes must say why)."""
    if not reason or not reason.strip():
        raise InputError("reason: must not be empty", hint="say why, e.g. --reason 'post launch'")
    return reason.strip()
