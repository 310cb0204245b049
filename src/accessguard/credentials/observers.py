"""Who observes a secret (always the operator who reveals it) and why.

An observed exposure names a person of the inventory and a reason; these resolve both.
An exposure is recorded only against the operator: ``--as`` may confirm who that is,
never name someone else (who would be charged with a secret they never saw while the
one who saw it goes unrecorded). The audit event beside it carries the authenticated
identity (Vault token, OS user).
"""

from __future__ import annotations

from sqlalchemy import Connection

from accessguard.errors import InputError, NotFoundError, UsageError
from accessguard.inventory.records import PersonRecord, find_person_record


def operator(conn: Connection, actor: str) -> PersonRecord | None:
    """The inventory person behind ``actor`` when the actor is an email, else None."""
    return find_person_record(conn, actor) if "@" in actor else None


def acting_person(conn: Connection, actor: str, *, as_email: str | None = None) -> PersonRecord:
    """The person who sees a secret: the operator; ``as_email`` must name the same person."""
    person = operator(conn, actor)
    if person is None:
        raise NotFoundError(
            f"the operator {actor!r} is not a person in the inventory",
            hint="set the actor (--actor / ACCESSGUARD_ACTOR) to your email: the exposure is "
            "recorded against the operator who reveals",
            code="operator-unknown",
        )
    if as_email and as_email.strip().lower() != person.email.lower():
        raise UsageError(
            f"an exposure is recorded only against the operator who reveals ({person.email}), "
            f"not {as_email}",
            hint=f"{as_email} runs the command with their own Vault login",
            code="exposure-not-operator",
        )
    return person


def require_reason(reason: str | None) -> str:
    """A non-empty reason (reveals and codes must say why)."""
    if not reason or not reason.strip():
        raise InputError("reason: must not be empty", hint="say why, e.g. --reason 'post launch'")
    return reason.strip()
