"""What an action gets: the app, the run, its step and item, short transactions and Vault."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from accessguard.app import App
from accessguard.clock import Clock
from accessguard.errors import StepFailedError
from accessguard.playbooks.crash import crash_point
from accessguard.playbooks.plan import Plan, PlanItem, PlanStep
from accessguard.secret import Secret

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

#: Shows a one-time secret (a new 2FA QR) to the operator; returns False if it could not.
SecretSink = Callable[[str, Secret], bool]


class VaultPool:
    """One Vault client per thread, opened on first use (hvac sessions are not shared)."""

    def __init__(self, app: App) -> None:
        self._app = app
        self._local = threading.local()

    def get(self) -> Any:
        """This thread's Vault facade."""
        vault = getattr(self._local, "vault", None)
        if vault is None:
            from accessguard.vault.facade import open_vault

            vault = open_vault(self._app)
            self._local.vault = vault
        return vault


@dataclass
class ActionContext:
    """The run, step and item an action works on, and how it reaches the world."""

    app: App
    run_id: str
    plan: Plan
    step: PlanStep
    item: PlanItem
    vaults: VaultPool
    show_secret: SecretSink | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: Which attempt this is (1: the first; nothing can have been done for it before).
    attempt: int = 1

    @property
    def clock(self) -> Clock:
        """The app's clock."""
        return self.app.clock

    @property
    def actor(self) -> str:
        """Who runs the offboarding."""
        return self.app.actor

    @property
    def params(self) -> dict[str, Any]:
        """The item's planned parameters."""
        return self.item.params

    @property
    def idempotency_key(self) -> str:
        """Stable across retries and resumes of this item: side effects happen once."""
        return f"{self.run_id}:{self.step.id}:{self.item.id}"

    def vault(self) -> Any:
        """The Vault facade for this thread."""
        return self.vaults.get()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A short ORM session of its own (commits on success)."""
        with self.app.transaction() as session:  # the App's door: it attaches the audit hooks
            yield session
            crash_point(self.step.id, self.item.id, "inside")

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A short Core transaction of its own (commits on success; never loads the ORM)."""
        with self.app.begin() as connection:
            yield connection
            crash_point(self.step.id, self.item.id, "inside")

    def render(self, template: str) -> str:
        """Fill ``{person.email}``, ``{person.name}``, ``{run.id}``, ``{run.playbook}``, ``{successor}``."""
        values = {
            "person": SimpleNamespace(**self.plan.subject),
            "run": SimpleNamespace(id=self.run_id, playbook=self.plan.playbook),
            "successor": self.plan.successor or "",
            "item": SimpleNamespace(**self.params) if self.params else SimpleNamespace(),
        }
        try:
            return template.format_map(values)
        except (AttributeError, KeyError, IndexError, ValueError) as exc:
            raise StepFailedError(
                f"step {self.step.id}: cannot fill the template {template!r}: {exc}",
                hint="placeholders: {person.email}, {person.name}, {run.id}, {run.playbook}, {successor}",
            ) from None
