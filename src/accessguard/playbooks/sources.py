"""What the planner hands an action for one item: a typed parameter object per ``for_each`` source.

A step without ``for_each`` runs once for the subject (``SubjectParams``); a step over
``grants`` gets a ``GrantParams`` per grant, and so on. Each object is stored in the
run's plan as the item's ``params`` mapping (``to_dict``) and read back from it
(``from_dict``), so plans stored by earlier versions still load and resume.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Source(StrEnum):
    """What a step iterates over (``for_each.source``); ``SUBJECT``: once, for the subject."""

    SUBJECT = ""
    #: One account (built-in plans: a rotation, a rollback); not a playbook source.
    ACCOUNT = "account"
    GRANTS = "grants"
    EXPOSED_CREDENTIALS = "exposed_credentials"
    #: Backup codes and recovery details the subject saw, unchanged since.
    EXPOSED_FIELDS = "exposed_fields"
    EXPORTED_SEEDS = "exported_seeds"
    HANDOVER_ACCOUNTS = "handover_accounts"


@dataclass(frozen=True)
class SubjectParams:
    """The one item of a step that runs for the subject (a person, or none: ``{}``)."""

    person: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The stored shape."""
        return {} if self.person is None else {"person": self.person}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SubjectParams:
        """Read the stored shape back."""
        return cls(person=None if data.get("person") is None else str(data["person"]))


@dataclass(frozen=True)
class AccountParams:
    """One account by id and name (the item of a built-in rotation or rollback)."""

    account_id: int
    account: str

    def to_dict(self) -> dict[str, Any]:
        """The stored shape."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AccountParams:
        """Read the stored shape back."""
        return cls(account_id=int(data["account_id"]), account=str(data["account"]))


@dataclass(frozen=True)
class GrantParams:
    """One active grant and the account it is on; ``person`` when it is not the subject's."""

    grant_id: int
    account_id: int
    account: str
    platform: str
    handle: str | None
    role: str
    via: str
    #: Whose grant it is, when a plan revokes other people's grants (a review close).
    person: str | None = None
    person_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The stored shape (``person`` keys only when set, as earlier plans stored it)."""
        data = asdict(self)
        for key in ("person", "person_name"):
            if data[key] is None:
                del data[key]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GrantParams:
        """Read the stored shape back."""
        return cls(
            grant_id=int(data["grant_id"]),
            account_id=int(data["account_id"]),
            account=str(data["account"]),
            platform=str(data["platform"]),
            handle=None if data.get("handle") is None else str(data["handle"]),
            role=str(data["role"]),
            via=str(data["via"]),
            person=None if data.get("person") is None else str(data["person"]),
            person_name=None if data.get("person_name") is None else str(data["person_name"]),
        )


@dataclass(frozen=True)
class CredentialParams:
    """A shared login the subject could have seen, at the version they could have seen."""

    credential_id: int
    account_id: int
    account: str
    platform: str
    version: int
    observed: bool

    def to_dict(self) -> dict[str, Any]:
        """The stored shape."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CredentialParams:
        """Read the stored shape back."""
        return cls(
            credential_id=int(data["credential_id"]),
            account_id=int(data["account_id"]),
            account=str(data["account"]),
            platform=str(data["platform"]),
            version=int(data["version"]),
            observed=bool(data["observed"]),
        )


@dataclass(frozen=True)
class FieldParams:
    """A field of a shared login (backup codes, recovery details) the subject saw in ``version``."""

    credential_id: int
    account_id: int
    account: str
    platform: str
    field: str
    version: int

    def to_dict(self) -> dict[str, Any]:
        """The stored shape."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldParams:
        """Read the stored shape back."""
        return cls(
            credential_id=int(data["credential_id"]),
            account_id=int(data["account_id"]),
            account=str(data["account"]),
            platform=str(data["platform"]),
            field=str(data["field"]),
            version=int(data["version"]),
        )


@dataclass(frozen=True)
class SeedParams:
    """An account whose 2FA seed the subject exported."""

    account_id: int
    account: str
    platform: str

    def to_dict(self) -> dict[str, Any]:
        """The stored shape."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SeedParams:
        """Read the stored shape back."""
        return cls(
            account_id=int(data["account_id"]),
            account=str(data["account"]),
            platform=str(data["platform"]),
        )


@dataclass(frozen=True)
class HandoverParams:
    """An account the subject owns or administers: who keeps it, who inherits ownership."""

    account_id: int
    account: str
    platform: str
    #: The subject owns the account (ownership moves to ``inheritor``).
    owned: bool
    #: Other active people holding an admin role on it.
    other_admins: tuple[str, ...]
    inheritor: str | None
    inheritor_is_admin: bool
    #: Someone keeps control of the account: an admin, its owner, or the successor.
    covered: bool

    def to_dict(self) -> dict[str, Any]:
        """The stored shape."""
        return {**asdict(self), "other_admins": list(self.other_admins)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HandoverParams:
        """Read the stored shape back."""
        return cls(
            account_id=int(data["account_id"]),
            account=str(data["account"]),
            platform=str(data["platform"]),
            owned=bool(data["owned"]),
            other_admins=tuple(str(a) for a in data.get("other_admins") or ()),
            inheritor=None if data.get("inheritor") is None else str(data["inheritor"]),
            inheritor_is_admin=bool(data.get("inheritor_is_admin")),
            covered=bool(data["covered"]),
        )


ItemParams = (
    SubjectParams
    | AccountParams
    | GrantParams
    | CredentialParams
    | FieldParams
    | SeedParams
    | HandoverParams
)

PARAMS: dict[Source, type[ItemParams]] = {
    Source.SUBJECT: SubjectParams,
    Source.ACCOUNT: AccountParams,
    Source.GRANTS: GrantParams,
    Source.EXPOSED_CREDENTIALS: CredentialParams,
    Source.EXPOSED_FIELDS: FieldParams,
    Source.EXPORTED_SEEDS: SeedParams,
    Source.HANDOVER_ACCOUNTS: HandoverParams,
}


def source_of(params: Mapping[str, Any]) -> Source:
    """Which source stored ``params`` (plans stored before steps named their source)."""
    if "grant_id" in params:
        return Source.GRANTS
    if "field" in params:
        return Source.EXPOSED_FIELDS
    if "credential_id" in params:
        return Source.EXPOSED_CREDENTIALS
    if "covered" in params:
        return Source.HANDOVER_ACCOUNTS
    if "account_id" in params:
        return Source.EXPORTED_SEEDS if "platform" in params else Source.ACCOUNT
    return Source.SUBJECT


def params_from_dict(source: Source | None, data: Mapping[str, Any]) -> ItemParams:
    """The typed parameters of a stored item (``source`` None: tell it from the keys)."""
    return PARAMS[source_of(data) if source is None else source].from_dict(data)
