"""Helpers shared by the credential services: lookups and the operator's Person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accessguard.credentials.models import Credential, CredentialVersion, TotpKey
from accessguard.credentials.versions import credential_not_found
from accessguard.errors import InputError, NotFoundError
from accessguard.inventory.lookup import find_person, get_person
from accessguard.inventory.models import Account, Person


def iso(value: datetime | None) -> str | None:
    """ISO text or None."""
    return value.isoformat() if value else None


def find_credential(session: Session, account: Account) -> Credential | None:
    """The account's credential row, or None."""
    return session.execute(
        select(Credential).where(Credential.account_id == account.id)
    ).scalar_one_or_none()


def get_credential(session: Session, account: Account) -> Credential:
    """The account's credential; NotFoundError with the fix otherwise."""
    credential = find_credential(session, account)
    if credential is None:
        raise credential_not_found(account.name)
    return credential


def version_row(session: Session, credential: Credential, version: int) -> CredentialVersion | None:
    """The row for one version of a credential."""
    return session.execute(
        select(CredentialVersion).where(
            CredentialVersion.credential_id == credential.id,
            CredentialVersion.version == version,
        )
    ).scalar_one_or_none()


def find_totp(session: Session, account: Account) -> TotpKey | None:
    """The account's TOTP key row, or None."""
    return session.execute(
        select(TotpKey).where(TotpKey.account_id == account.id)
    ).scalar_one_or_none()


def get_totp(session: Session, account: Account) -> TotpKey:
    """The account's TOTP key; NotFoundError with the fix otherwise."""
    key = find_totp(session, account)
    if key is None or key.retired_at is not None:
        raise NotFoundError(
            f"no 2FA seed in Vault custody for {account.name}",
            hint=f"enrol one with `accessguard totp enroll {account.name}`",
            code="totp-not-found",
        )
    return key


def set_current(
    credential: Credential,
    version: int,
    *,
    previous: int | None,
    state: str,
    at: datetime,
    by: str,
) -> None:
    """Point the credential at ``version`` (Vault already holds it)."""
    credential.current_version = version
    credential.previous_version = previous
    credential.state = state
    credential.rotated_at = at
    credential.rotated_by = by


def mark_version(session: Session, credential: Credential, version: int, state: str) -> None:
    """Set the state of one version's row, if it has one."""
    row = version_row(session, credential, version)
    if row is not None:
        row.state = state


def operator(session: Session, actor: str) -> Person | None:
    """The inventory Person behind ``actor`` when the actor is an email, else None."""
    return find_person(session, actor) if "@" in actor else None


def acting_person(session: Session, actor: str, as_email: str | None = None) -> Person:
    """The Person who sees a secret: ``as_email``, else the actor's email."""
    if as_email:
        return get_person(session, as_email)
    person = operator(session, actor)
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
