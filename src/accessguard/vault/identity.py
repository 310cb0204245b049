"""Identity endpoints (``vault.identity``): entities, aliases, groups, userpass users."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from accessguard.errors import VaultNotFoundError
from accessguard.secret import Secret
from accessguard.vault.paths import VaultPaths, check_username
from accessguard.vault.transport import Transport


def _seg(name: str) -> str:
    """One path segment, URL-quoted."""
    return quote(name, safe="")


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


class Identity:
    """People's own Vault access: entities, entity aliases, groups and userpass users."""

    def __init__(self, transport: Transport, paths: VaultPaths) -> None:
        self._transport = transport
        self._paths = paths

    def _read(self, path: str, *, what: str) -> dict[str, Any] | None:
        """``v1/<path>``; None when it holds nothing."""
        return self._transport.call(what, "GET", f"/v1/{path}", refused=(404,))

    def _write(self, path: str, data: Mapping[str, Any], *, what: str) -> None:
        """Write ``data`` to ``v1/<path>``."""
        self._transport.call(what, "POST", f"/v1/{path}", dict(data))

    def _delete(self, path: str, *, what: str) -> None:
        """Delete ``v1/<path>`` (absent is fine)."""
        self._transport.call(what, "DELETE", f"/v1/{path}")

    def read_entity(self, name: str) -> Entity | None:
        """The entity called ``name``, or None."""
        found = self._read(f"identity/entity/name/{_seg(name)}", what=f"read entity {name}")
        if not found:
            return None
        data = found["data"]
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
        body = {"metadata": metadata} if metadata is not None else {}
        self._write(f"identity/entity/name/{_seg(name)}", body, what=f"create entity {name}")
        entity = self.read_entity(name)
        if entity is None:
            raise VaultNotFoundError(f"entity {name} vanished after creation")
        return entity

    def set_entity_disabled(self, name: str, disabled: bool) -> None:
        """Disable (or re-enable) an entity: its tokens stop working while disabled."""
        self._write(
            f"identity/entity/name/{_seg(name)}",
            {"disabled": disabled},
            what=f"{'disable' if disabled else 'enable'} entity {name}",
        )

    def userpass_accessor(self) -> str:
        """The mount accessor of the userpass auth method."""
        mounts = self._read("sys/auth", what="list auth methods") or {}
        mounts = mounts.get("data", mounts)
        key = f"{self._paths.userpass_mount}/"
        if key not in mounts:
            raise VaultNotFoundError(
                f"no userpass auth method at {key}",
                hint="run `accessguard vault bootstrap` with an admin token",
            )
        return str(mounts[key]["accessor"])

    def ensure_alias(self, entity: Entity, username: str) -> None:
        """Link a userpass login name to the entity (so its logins get the entity's groups)."""
        accessor = self.userpass_accessor()
        self._write(
            "identity/entity-alias",
            {
                "name": check_username(username),
                "canonical_id": entity.id,
                "mount_accessor": accessor,
            },
            what=f"alias {username} to {entity.name}",
        )

    def read_group(self, name: str) -> Group | None:
        """The group called ``name``, or None."""
        found = self._read(f"identity/group/name/{_seg(name)}", what=f"read group {name}")
        if not found:
            return None
        data = found["data"]
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
        body: dict[str, Any] = {"type": "internal", "policies": list(policies)}
        if member_entity_ids is not None:
            body["member_entity_ids"] = sorted(member_entity_ids)
        else:
            current = self.read_group(name)
            if current is not None:
                body["member_entity_ids"] = list(current.member_entity_ids)
        self._write(f"identity/group/name/{_seg(name)}", body, what=f"write group {name}")

    def set_group_members(self, name: str, member_entity_ids: Sequence[str]) -> None:
        """Set an existing group's members, leaving its policies alone.

        Sends ``member_entity_ids`` only: the tool policy allows nothing else on groups
        (their policies are bootstrap's, with an admin token).
        """
        self._write(
            f"identity/group/name/{_seg(name)}",
            {"member_entity_ids": sorted(member_entity_ids)},
            what=f"set members of group {name}",
        )

    def group_names(self) -> dict[str, str]:
        """Every group's name by id (a LIST: names, not members)."""
        found = self._read("identity/group/id?list=true", what="list groups") or {}
        info = (found.get("data") or {}).get("key_info") or {}
        return {str(gid): str((facts or {}).get("name", "")) for gid, facts in info.items()}

    def _user_path(self, username: str) -> str:
        return f"auth/{self._paths.userpass_mount}/users/{_seg(check_username(username))}"

    def userpass_user_exists(self, username: str) -> bool:
        """True if the userpass user exists."""
        return self._read(self._user_path(username), what=f"read user {username}") is not None

    def write_userpass_user(self, username: str, password: Secret) -> None:
        """Create a userpass user or set its password."""
        self._write(
            self._user_path(username),
            {"password": password.reveal()},
            what=f"write user {username}",
        )

    def delete_userpass_user(self, username: str) -> None:
        """Delete a userpass user (existing tokens stay valid: revoke them too)."""
        self._delete(self._user_path(username), what=f"delete user {username}")
