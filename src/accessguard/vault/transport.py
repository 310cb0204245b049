"""Which Vault address answers: failover, waiting out elections, the active node, read-your-writes.

One ``Transport`` per facade; every request goes through ``call``:

- An answer that says "not here, not now" moves on to the next configured address:
  no connection, a connection dropped mid-request, a timeout, a sealed or
  uninitialised node, 5xx, 412/429 (a standby that cannot serve it, a rate limit).
  When every address failed that way, it waits (0.25 s doubling to 2 s) and tries
  them again until ``retry_seconds`` have passed, so a leader election or a restart
  is ridden out; if every address is sealed it fails at once (nobody unseals Vault
  in seconds). Any other answer (403, 404, a check-and-set refusal, ...) is the
  answer, translated by ``vault.errors.translate``.
- With several addresses it routes to the active node: before the first request and
  after every failover it asks ``sys/leader`` and, when the leader is one of the
  configured addresses and confirms it is active, uses it. OpenBao >= 2.5 lets standbys serve reads from their
  own (possibly lagging) copy; the active node always has every acknowledged write.
- Belt and braces for addresses that are not the leader (a load balancer): every
  response's ``X-Vault-Index`` is remembered and sent back on later requests with
  ``X-Vault-Inconsistent: forward-active-node``, so a standby that has not caught
  up forwards the request to the active node (OpenBao >= 2.7, Vault Enterprise;
  servers without the feature ignore both headers).

Retrying a write whose answer was lost is safe here: KV writes carry check-and-set
(``Vault.kv_write`` recognises its own write when the retry is refused), and the
other writes the tool makes set state rather than add to it.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from accessguard.errors import AccessGuardError, VaultSealedError, VaultUnavailableError
from accessguard.vault.connection import Connection
from accessguard.vault.errors import translate

T = TypeVar("T")

INDEX_HEADER = "X-Vault-Index"
INCONSISTENT_HEADER = "X-Vault-Inconsistent"
#: What a node that does not answer itself is called in failures: try the next address.
DOWN, SEALED, BUSY = "down", "sealed", "busy"
#: Status codes of a node that cannot serve the request now (5xx; 412/429: standby, quota).
BUSY_STATUSES = frozenset({412, 429, 472, 473})


def _errors_text(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    return " ".join(str(e) for e in errors) if isinstance(errors, list) else str(exc)


def classify(exc: Exception, status: int | None) -> str | None:
    """DOWN, SEALED or BUSY when another address (or a later try) may answer; None otherwise."""
    import hvac.exceptions as hx
    import requests

    if isinstance(exc, AccessGuardError):
        return None
    if isinstance(
        exc,
        requests.exceptions.ConnectionError
        | requests.exceptions.Timeout
        | requests.exceptions.ChunkedEncodingError,
    ):
        return DOWN
    if isinstance(exc, hx.VaultNotInitialized):
        return SEALED
    if isinstance(exc, hx.VaultDown):
        return SEALED if "sealed" in _errors_text(exc).lower() else BUSY
    if isinstance(exc, hx.InternalServerError | hx.BadGateway | hx.RateLimitExceeded):
        return BUSY
    if (
        isinstance(exc, hx.InvalidRequest)
        and "waiting for the primary" in _errors_text(exc).lower()
    ):
        return BUSY  # a KV v2 mount still upgrading on the active node, seen from a standby
    busy_status = status is not None and (status >= 500 or status in BUSY_STATUSES)
    return BUSY if isinstance(exc, hx.VaultError) and busy_status else None


def _index_order(value: str) -> int | None:
    """The raft index inside an OpenBao ``X-Vault-Index`` (base64 JSON), if it has one."""
    try:
        padded = value + "=" * (-len(value) % 4)
        return int(json.loads(base64.b64decode(padded))["value"])
    except (ValueError, KeyError, TypeError):
        return None


class Transport:
    """Runs requests against the configured addresses (one hvac client per thread and address)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._active = 0
        self._find_leader = len(connection.addresses) > 1
        self._index: str | None = None
        self._lock = threading.Lock()
        self._local = threading.local()

    @property
    def addr(self) -> str:
        """The address currently in use."""
        return self.connection.addresses[self._active]

    @property
    def index(self) -> str | None:
        """The newest ``X-Vault-Index`` seen (opaque), sent with every request."""
        return self._index

    # --- clients -----------------------------------------------------------------------------

    def client(self, index: int) -> Any:
        """This thread's hvac client for address ``index``, carrying the consistency headers."""
        clients: dict[int, Any] = getattr(self._local, "clients", None) or {}
        self._local.clients = clients
        if index not in clients:
            import hvac
            import requests

            session = requests.Session()
            session.hooks["response"].append(self._on_response)
            token = self.connection.token.reveal() if self.connection.token else None
            clients[index] = hvac.Client(
                url=self.connection.addresses[index],
                token=token,
                namespace=self.connection.namespace,
                timeout=self.connection.timeout,
                verify=self.connection.verify,
                session=session,
            )
        client = clients[index]
        if self._index:
            client.session.headers[INDEX_HEADER] = self._index
            client.session.headers[INCONSISTENT_HEADER] = "forward-active-node"
        return client

    def _on_response(self, response: Any, *args: Any, **kwargs: Any) -> None:
        self._local.status = response.status_code
        value = response.headers.get(INDEX_HEADER)
        if not value or value == self._index:
            return
        with self._lock:
            new, old = _index_order(value), _index_order(self._index or "")
            if new is None or old is None or new > old:
                self._index = value

    def close(self) -> None:
        """Close this thread's HTTP sessions."""
        for client in (getattr(self._local, "clients", None) or {}).values():
            client.adapter.close()
        self._local.clients = {}

    # --- requests ----------------------------------------------------------------------------

    def call(self, what: str, func: Callable[[Any], T]) -> T:
        """``func(client)`` on the active address, failing over and retrying as described above."""
        addresses = self.connection.addresses
        deadline = time.monotonic() + max(0.0, self.connection.retry_seconds)
        delay = 0.25
        failures: dict[int, tuple[str, Exception]] = {}
        while True:
            if self._find_leader:
                self._route_to_leader()
            start = self._active
            for step in range(len(addresses)):
                index = (start + step) % len(addresses)
                self._local.status = None
                try:
                    result = func(self.client(index))
                except Exception as exc:
                    kind = classify(exc, getattr(self._local, "status", None))
                    if kind is None:
                        raise translate(exc, addr=addresses[index], what=what) from None
                    failures[index] = (kind, exc)
                    self._went_down(index)
                    continue
                self._answered(index)
                return result
            kinds = {kind for kind, _ in failures.values()}
            if kinds == {SEALED} or time.monotonic() + delay > deadline:
                raise self._give_up(what, failures)
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _went_down(self, index: int) -> None:
        if len(self.connection.addresses) > 1:
            with self._lock:
                self._find_leader = True

    def _answered(self, index: int) -> None:
        with self._lock:
            self._active = index

    def _route_to_leader(self) -> None:
        """Point at the active node when it is one of the configured addresses (best effort).

        A standby names the leader it last knew, which may be the node that just died:
        the named node is used only once it confirms that it is the active one.
        """
        with self._lock:
            self._find_leader = False
        addresses = self.connection.addresses
        for step in range(len(addresses)):
            index = (self._active + step) % len(addresses)
            status = self._leader_status(index)
            if status is None:
                continue
            chosen = index
            leader = str(status.get("leader_address") or "").rstrip("/")
            if status.get("ha_enabled") and not status.get("is_self") and leader in addresses:
                target = addresses.index(leader)
                if (self._leader_status(target) or {}).get("is_self"):
                    chosen = target
            with self._lock:
                self._active = chosen
            return

    def _leader_status(self, index: int) -> dict[str, Any] | None:
        """``sys/leader`` as answered by address ``index``; None if it does not answer."""
        import hvac.exceptions as hx
        import requests

        try:
            status = self.client(index).sys.read_leader_status()
        except (requests.exceptions.RequestException, hx.VaultError):
            return None
        return status if isinstance(status, dict) else None

    def _give_up(self, what: str, failures: dict[int, tuple[str, Exception]]) -> AccessGuardError:
        addresses = self.connection.addresses
        tried = ", ".join(addresses)
        kinds = {kind for kind, _ in failures.values()}
        if kinds == {SEALED}:
            return VaultSealedError(
                f"Vault is sealed (tried {tried}) while trying to {what}",
                hint="an operator must unseal Vault (`bao operator unseal`); then retry",
            )
        if kinds == {DOWN}:
            return VaultUnavailableError(
                f"no Vault address answered while trying to {what} (tried {tried})",
                hint="check that Vault is running and VAULT_ADDR / [vault].addresses are right",
            )
        busy = [(i, exc) for i, (kind, exc) in failures.items() if kind == BUSY]
        index, exc = busy[-1] if busy else next((i, e) for i, (_, e) in failures.items())
        detail = translate(exc, addr=addresses[index], what=what)
        return VaultUnavailableError(
            f"Vault could not {what} at any address ({detail.message}; tried {tried})",
            hint="a Vault outage or leader election outlasted the retries: retry when Vault "
            "answers again (`accessguard vault status`)",
        )
