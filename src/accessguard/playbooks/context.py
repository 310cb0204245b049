"""What an action gets: the app, the run, its step and item, short transactions and Vault."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, TypeVar

from accessguard.app import App
from accessguard.clock import Clock
from accessguard.errors import StepFailedError
from accessguard.playbooks.hooks import NO_HOOKS, Phase, RunHooks
from accessguard.playbooks.plan import Plan, PlanItem, PlanStep
from accessguard.playbooks.sources import ItemParams
from accessguard.secret import Secret

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from accessguard.vault.facade import Vault

P = TypeVar("P", bound=ItemParams)

#: Shows a one-time secret (a new 2FA QR) to the operator; returns False if it could not.
SecretSink = Callable[[str, Secret], bool]


class VaultPool:
    """One Vault client per thread, opened on first use (hvac sessions are not shared)."""

    def __init__(self, app: App) -> None:
        self._app = app
        self._local = threading.local()

    def get(self) -> Vault:
        """This thread's Vault facade."""
        vault: Vault | None = getattr(self._local, "vault", None)
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
    #: Which attempt this is (1: the first; nothing can have been done for it before).
    attempt: int = 1
    #: The run's hooks: told when the action's own transaction is about to commit.
    hooks: RunHooks = NO_HOOKS

    @property
    def clock(self) -> Clock:
        """The app's clock."""
        return self.app.clock

    @property
    def actor(self) -> str:
        """Who runs the offboarding."""
        return self.app.actor

    @property
    def params(self) -> ItemParams:
        """The item's planned parameters (typed by the step's ``for_each`` source)."""
        return self.item.params

    def params_as(self, kind: type[P]) -> P:
        """The item's parameters, which must be of ``kind`` (the source the action works on)."""
        params = self.item.params
        if not isinstance(params, kind):
            raise StepFailedError(
                f"step {self.step.id}: action {self.step.action} works on {kind.__name__}, "
                f"item {self.item.id} has {type(params).__name__}",
                hint="check the step's for_each source in the playbook",
            )
        return params

    @property
    def idempotency_key(self) -> str:
        """Stable across retries and resumes of this item: side effects happen once."""
        return f"{self.run_id}:{self.step.id}:{self.item.id}"

    def vault(self) -> Vault:
        """The Vault facade for this thread."""
        return self.vaults.get()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A short Core transaction of its own (commits on success)."""
        with self.app.begin() as connection:
            yield connection
            self.hooks.phase(self.step.id, self.item.id, Phase.INSIDE)

    def render(self, template: str) -> str:
        """Fill ``{person.email}``, ``{person.name}``, ``{run.id}``, ``{run.playbook}``, ``{successor}``."""
        values = {
            "person": SimpleNamespace(**self.plan.subject),
            "run": SimpleNamespace(id=self.run_id, playbook=self.plan.playbook),
            "successor": self.plan.successor or "",
            "item": SimpleNamespace(**self.params.to_dict()),
        }
        try:
            return template.format_map(values)
        except (AttributeError, KeyError, IndexError, ValueError) as exc:
            raise StepFailedError(
                f"step {self.step.id}: cannot fill the template {template!r}: {exc}",
                hint="placeholders: {person.email}, {person.name}, {run.id}, {run.playbook}, {successor}",
            ) from None
