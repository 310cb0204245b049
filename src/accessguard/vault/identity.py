"""Identity endpoints of the facade: entities, aliases, groups, userpass users.

Mixed into ``Vault``; every call goes through ``Vault._call`` so errors are translated
and the address choice stays in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from accessguard.errors import VaultNotFoundError
from accessguard.secret import Secret
from accessguard.vault.paths import VaultPaths, check_username

T = TypeVar("T")


@dataclass(frozen=True)
class Entity:
    """A Vault identity entity."""

    id: str
    name: str
    disabled: bool
    group_ids: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """A Vault identity group (internal)."""

    id: str
    name: str
    policies: tuple[str, ...]
    member_entity_ids: tuple[str, ...]


class IdentityMixin:
    """Entities, entity aliases, groups and userpass users."""

    paths: VaultPaths

    def _call(self, what: str, func: Callable[[Any], T]) -> T:  # pragma: no cover - in Vault
        raise NotImplementedError

    def read_entity(self, name: str) -> Entity | None:
        """The entity called ``name``, or None."""
        try:
            data = self._call(
                f"read entity {name}", lambda c: c.secrets.identity.read_entity_by_name(name=name)
            )["data"]
        except VaultNotFoundError:
            return None
        return Entity(
            id=data["id"],
            name=data["name"],
            disabled=bool(data.get("disabled")),
            group_ids=tuple(data.get("direct_group_ids") or data.get("group_ids") or ()),
        )

    def ensure_entity(self, name: str, *, metadata: dict[str, str] | None = None) -> Entity:
        """Create the entity if missing (enabled); return it."""
        existing = self.read_entity(name)
        if existing is not None:
            return existing
        self._call(
            f"create entity {name}",
            lambda c: c.secrets.identity.create_or_update_entity_by_name(
                name=name, metadata=metadata
            ),
        )
        entity = self.read_entity(name)
        if entity is None:
            raise VaultNotFoundError(f"entity {name} vanished after creation")
        return entity

    def set_entity_disabled(self, name: str, disabled: bool) -> None:
        """Disable (or re-enable) an entity: its tokens stop working while disabled."""
        self._call(
            f"{'disable' if disabled else 'enable'} entity {name}",
            lambda c: c.secrets.identity.create_or_update_entity_by_name(
                name=name, disabled=disabled
            ),
        )

    def userpass_accessor(self) -> str:
        """The mount accessor of the userpass auth method."""
        mounts = self._call("list auth methods", lambda c: c.sys.list_auth_methods())
        mounts = mounts.get("data", mounts)
        key = f"{self.paths.userpass_mount}/"
        if key not in mounts:
            raise VaultNotFoundError(
                f"no userpass auth method at {key}",
                hint="run `accessguard vault bootstrap` with an admin token",
            )
        return str(mounts[key]["accessor"])

    def ensure_alias(self, entity: Entity, username: str) -> None:
        """Link a userpass login name to the entity (so its logins get the entity's groups)."""
        accessor = self.userpass_accessor()
        self._call(
            f"alias {username} to {entity.name}",
            lambda c: c.secrets.identity.create_or_update_entity_alias(
                name=check_username(username), canonical_id=entity.id, mount_accessor=accessor
            ),
        )

    def read_group(self, name: str) -> Group | None:
        """The group called ``name``, or None."""
        try:
            data = self._call(
                f"read group {name}", lambda c: c.secrets.identity.read_group_by_name(name=name)
            )["data"]
        except VaultNotFoundError:
            return None
        return Group(
            id=data["id"],
            name=data["name"],
            policies=tuple(data.get("policies") or ()),
            member_entity_ids=tuple(data.get("member_entity_ids") or ()),
        )

    def write_group(
        self, name: str, *, policies: Sequence[str], member_entity_ids: Sequence[str] | None = None
    ) -> None:
        """Create or update an internal group (members kept unless given)."""
        kwargs: dict[str, Any] = {"name": name, "policies": list(policies)}
        if member_entity_ids is not None:
            kwargs["member_entity_ids"] = sorted(member_entity_ids)
        else:
            current = self.read_group(name)
            if current is not None:
                kwargs["member_entity_ids"] = list(current.member_entity_ids)
        self._call(
            f"write group {name}",
            lambda c: c.secrets.identity.create_or_update_group_by_name(**kwargs),
        )

    def userpass_user_exists(self, username: str) -> bool:
        """True if the userpass user exists."""
        mount = self.paths.userpass_mount
        try:
            self._call(
                f"read user {username}",
                lambda c: c.auth.userpass.read_user(check_username(username), mount_point=mount),
            )
        except VaultNotFoundError:
            return False
        return True

    def write_userpass_user(self, username: str, password: Secret) -> None:
        """Create a userpass user or set its password."""
        mount = self.paths.userpass_mount
        self._call(
            f"write user {username}",
            lambda c: c.auth.userpass.create_or_update_user(
                check_username(username), password=password.reveal(), mount_point=mount
            ),
        )

    def delete_userpass_user(self, username: str) -> None:
        """Delete a userpass user (existing tokens stay valid: revoke them too)."""
        mount = self.paths.userpass_mount
        self._call(
            f"delete user {username}",
            lambda c: c.auth.userpass.delete_user(check_username(username), mount_point=mount),
        )
