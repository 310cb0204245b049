"""The interface every platform connector implements.

A connector is built for one account (its ``settings`` hold ids such as the Meta
business id) with its secrets already fetched from Vault or the keyring, and a shared
HTTP session. It lists who holds access, revokes one person idempotently, and checks
that its credentials work.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from accessguard.connectors.settings import Setting
from accessguard.results import ActionResult
from accessguard.secret import Secret


@dataclass(frozen=True)
class Holder:
    """Someone the platform says holds access to the account."""

    platform_id: str
    email: str | None = None
    name: str | None = None
    role: str | None = None
    active: bool = True
    raw: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view (without the raw payload)."""
        return {
            "platform_id": self.platform_id,
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "active": self.active,
        }


@dataclass(frozen=True)
class AccountRef:
    """Which inventory account (or notifier channel) a connector was built for.

    ``kind`` is the secrets namespace: ``accounts`` or ``notifiers`` (see ``tokens.py``);
    ``vault_root`` the KV mount and prefix they are read under, so a missing secret's
    hint names its exact path.
    """

    name: str
    platform: str
    handle: str = ""
    kind: str = "accounts"
    vault_root: str = "<mount>/<prefix>"


@dataclass(frozen=True)
class Target:
    """Who to revoke: the inventory's view of the person and the grant."""

    email: str
    name: str | None = None
    role: str | None = None
    platform_id: str | None = None


class Connector(ABC):
    """One platform's access API for one account."""

    #: registry name, e.g. "scim", "meta".
    name: ClassVar[str]
    #: whether ``list_holders`` is supported (reconcile uses only those that can).
    can_list: ClassVar[bool] = True
    #: whether ``revoke`` acts through the API (False: it returns a WAITING manual step).
    can_revoke: ClassVar[bool] = True
    #: secret names read from Vault or the keyring (``token`` for most platforms).
    secret_keys: ClassVar[tuple[str, ...]] = ()
    #: the account settings it reads (``settings.py``: name, kind, required, help).
    settings_spec: ClassVar[tuple[Setting, ...]] = ()
    #: one line for ``connectors list``.
    summary: ClassVar[str] = ""

    def __init__(
        self,
        *,
        settings: Mapping[str, Any],
        secrets: Mapping[str, Secret],
        http: Any,
        account: AccountRef | None = None,
    ) -> None:
        self.settings = dict(settings)
        self.secrets = dict(secrets)
        self.http = http
        self.account = account

    @classmethod
    def required_settings(cls) -> tuple[str, ...]:
        """Names of the settings an account must set for this connector."""
        return tuple(s.name for s in cls.settings_spec if s.required)

    @abstractmethod
    def list_holders(self) -> list[Holder]:
        """Everyone the platform says holds access to this account."""

    @abstractmethod
    def revoke(self, target: Target) -> ActionResult:
        """Remove ``target``'s access; already gone is ``unchanged``."""

    @abstractmethod
    def check(self) -> ActionResult:
        """Verify the configured credentials work (``unchanged`` when healthy)."""
