"""Small factories for an in-memory inventory and playbooks, for the engine's unit tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, Table, insert

from accessguard.db import tables
from accessguard.playbooks.loader import parse_playbook
from accessguard.playbooks.schema import Playbook

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass
class Inventory:
    """Adds people, accounts and grants to one open connection; each returns the new id."""

    conn: Connection

    def person(
        self,
        email: str,
        *,
        kind: str = "employee",
        status: str = "active",
        department: str | None = None,
        end_date: date | None = None,
    ) -> int:
        """A person (active employee unless told otherwise)."""
        return self._insert(
            tables.people,
            email=email,
            name=email.partition("@")[0].title(),
            kind=kind,
            status=status,
            department=department,
            end_date=end_date,
            source="manual",
        )

    def account(self, name: str, *, platform: str = "x", owner: int | None = None) -> int:
        """A brand account, optionally owned by a person."""
        return self._insert(
            tables.accounts,
            name=name,
            platform=platform,
            handle=f"@{name}",
            owner_id=owner,
            criticality="medium",
            settings={},
            tags=[],
        )

    def grant(
        self,
        person: int,
        account: int,
        *,
        role: str = "editor",
        via: str = "platform-role",
        revoked: bool = False,
    ) -> int:
        """A grant of ``role`` on ``account`` (active unless ``revoked``)."""
        return self._insert(
            tables.grants,
            person_id=person,
            account_id=account,
            role=role,
            via=via,
            granted_at=NOW,
            granted_by="tester",
            revoked_at=NOW if revoked else None,
        )

    def _insert(self, table: Table, **values: object) -> int:
        stamps = {"created_at": NOW, "updated_at": NOW} if "created_at" in table.c else {}
        result = self.conn.execute(insert(table).values(**values, **stamps))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])


def playbook(steps: str) -> Playbook:
    """A validated playbook made of ``steps`` (YAML list items, indented two spaces)."""
    return parse_playbook(f"name: unit\ndescription: unit test\nsteps:\n{steps}")
