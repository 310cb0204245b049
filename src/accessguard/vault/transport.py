"""Which Vault address answers: failover, waiting out elections, the active node, read-your-writes.

One ``Transport`` per facade; every request goes through ``call``:

- An answer that says "not here, not now" moves on to the next configured address:
  no connection, a connection dropped mid-request, a timeout, a sealed or
  uninitialised node, 5xx, 412/429 (a standby that cannot serve it, a rate limit).
  When every address failed that way, it waits (0.25 s doubling to 2 s) and tries
  them again until ``retry_seconds`` have passed, so a leader election or a restart
  is ridden out; if every address is sealed it fails at once (nobody unseals Vault
  in seconds). Any other answer (403, 404, a check-and-set refusal, ...) is the
  answer, translated by ``vault.errors.translate`` (``vault/failures.py`` sorts them).
- With several addresses it routes to the active node: before the first request and
  after every failover it asks ``sys/leader`` and, when the leader is one of the
  configured addresses and confirms it is active, uses it. OpenBao >= 2.5 lets
  standbys serve reads from their own (possibly lagging) copy; the active node always
  has every acknowledged write.
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
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from accessguard.errors import (
    AccessGuardError,
    ConfigError,
    VaultSealedError,
    VaultUnavailableError,
)
from accessguard.vault.connection import Connection
from accessguard.vault.errors import not_found, translate
from accessguard.vault.failures import BUSY, DOWN, SEALED, classify
from accessguard.vault.http import LeanConnection, lean_connection

T = TypeVar("T")

INDEX_HEADER = "X-Vault-Index"
INCONSISTENT_HEADER = "X-Vault-Inconsistent"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 3


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
    def last_tries(self) -> int:
        """How many times this thread's last request was sent (more than 1: retried)."""
        return int(getattr(self._local, "tries", 0))

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
        self._seen(response.status_code, response.headers.get(INDEX_HEADER))

    def _seen(self, status: int, value: str | None) -> None:
        """Remember an answer's status (for ``classify``) and its newest ``X-Vault-Index``."""
        self._local.status = status
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
        for lean in (getattr(self._local, "lean", None) or {}).values():
            if lean is not None:
                lean.close()
        self._local.clients = {}
        self._local.lean = {}

    # --- requests ----------------------------------------------------------------------------

    def call(self, what: str, func: Callable[[Any], T]) -> T:
        """``func(client)`` on the active address, failing over and retrying as described above."""
        return self._attempt(what, lambda index: func(self.client(index)))

    def request(
        self,
        what: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        refused: tuple[int, ...] = (),
    ) -> dict[str, Any] | None:
        """One request (``/v1/...``) over a lean kept-alive connection (``vault/http.py``).

        Same failover, retries, headers and errors as ``call``. Returns the JSON body
        (``{}`` for 204), or None when Vault answered with a status in ``refused``.
        Paths are normalised as hvac does: no ``//``, no trailing ``/`` (Vault refuses
        writes to such paths; ``sys/leases/revoke-prefix`` adds it back itself).
        """
        route, _, query = path.partition("?")
        while "//" in route:
            route = route.replace("//", "/")
        path = route.rstrip("/") + (f"?{query}" if query else "")
        return self._attempt(
            what, lambda index: self._send(index, method, path, body, refused, what)
        )

    def _send(
        self,
        index: int,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        refused: tuple[int, ...],
        what: str,
    ) -> dict[str, Any] | None:
        # hvac and requests are imported only on failure: the happy path never loads them.
        lean = self._lean(index)
        if lean is None:  # a proxy applies: requests knows how to use it
            return self._send_via_hvac(index, method, path, body, refused)
        headers = {"X-Vault-Request": "true", "Content-Type": "application/json"}
        if method == "PATCH":
            headers["Content-Type"] = "application/merge-patch+json"
        if self.connection.token is not None:
            headers["X-Vault-Token"] = self.connection.token.reveal()
        if self.connection.namespace:
            headers["X-Vault-Namespace"] = self.connection.namespace
        if self._index:
            headers[INDEX_HEADER] = self._index
            headers[INCONSISTENT_HEADER] = "forward-active-node"
        payload = json.dumps(body).encode() if body is not None else None
        try:
            answer = self._exchange(lean, index, method, path, headers, payload)
        except TimeoutError as exc:
            import requests

            raise requests.exceptions.Timeout(str(exc)) from None
        except ssl.SSLCertVerificationError as exc:
            import requests

            raise requests.exceptions.SSLError(f"certificate verify failed: {exc}") from None
        except ValueError:  # a header that cannot be sent: no address or retry would help
            raise ConfigError(
                f"cannot send the request to {what}: the Vault token, namespace or path holds "
                "a line break or a character HTTP headers cannot carry",
                hint="check VAULT_TOKEN / VAULT_NAMESPACE (or [vault].namespace)",
                code="vault-header",
            ) from None
        except Exception as exc:  # OSError (ProtocolError too): the node did not answer
            import requests

            raise requests.exceptions.ConnectionError(f"{type(exc).__name__}: {exc}") from None
        if answer is None:  # redirected to an address behind a proxy
            return self._send_via_hvac(index, method, path, body, refused)
        status, answer_headers, data = answer
        self._seen(status, answer_headers.get(INDEX_HEADER))
        if status in refused:
            return None
        try:
            parsed = json.loads(data) if data.strip() else {}
        except ValueError:
            parsed = {}
        if status == 404:  # a common answer (no such entity): no need to load hvac for it
            raise not_found(what)
        if status >= 400:
            import hvac.exceptions as hx

            errors = parsed.get("errors") if isinstance(parsed, dict) else None
            text = data.decode(errors="replace")
            url = f"{self.connection.addresses[index]}{path}"
            raise hx.VaultError.from_status(
                status, None if errors else text, errors=errors, method=method, url=url, text=text
            )
        return parsed if isinstance(parsed, dict) else {}

    def _exchange(
        self,
        lean: LeanConnection,
        index: int,
        method: str,
        path: str,
        headers: dict[str, str],
        payload: bytes | None,
    ) -> tuple[int, Any, bytes] | None:
        """Send the request, following a standby's redirects to the active node (307) as
        requests would, same method and body; None when a redirect leads behind a proxy."""
        status, answer_headers, data = lean.request(method, path, headers=headers, body=payload)
        for _ in range(MAX_REDIRECTS):
            location = answer_headers.get("Location")
            if status not in REDIRECTS or not location:
                break
            parts = urlsplit(urljoin(self.connection.addresses[index] + path, location))
            hop = lean_connection(
                f"{parts.scheme}://{parts.netloc}",
                timeout=self.connection.timeout,
                verify=self.connection.verify,
            )
            if hop is None:
                return None
            query = f"?{parts.query}" if parts.query else ""
            try:
                status, answer_headers, data = hop.request(
                    method, parts.path + query, headers=headers, body=payload
                )
            finally:
                hop.close()
        return status, answer_headers, data

    def _send_via_hvac(
        self,
        index: int,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        refused: tuple[int, ...],
    ) -> dict[str, Any] | None:
        import hvac.exceptions as hx

        headers = {"Content-Type": "application/merge-patch+json"} if method == "PATCH" else {}
        try:
            answer = self.client(index).adapter.request(method, path, json=body, headers=headers)
        except hx.VaultError as exc:
            if getattr(self._local, "status", None) in refused:
                return None
            raise exc from None
        return answer if isinstance(answer, dict) else {}

    def _lean(self, index: int) -> LeanConnection | None:
        """This thread's lean connection to address ``index`` (None: use requests)."""
        conns: dict[int, LeanConnection | None] = getattr(self._local, "lean", None) or {}
        self._local.lean = conns
        if index not in conns:
            conns[index] = lean_connection(
                self.connection.addresses[index],
                timeout=self.connection.timeout,
                verify=self.connection.verify,
            )
        return conns[index]

    def _attempt(self, what: str, run: Callable[[int], T]) -> T:
        """``run(index)`` on the active address, failing over and retrying as described above."""
        addresses = self.connection.addresses
        deadline = time.monotonic() + max(0.0, self.connection.retry_seconds)
        delay = 0.25
        failures: dict[int, tuple[str, Exception]] = {}
        self._local.tries = 0
        while True:
            if self._find_leader:
                self._route_to_leader()
            start = self._active
            for step in range(len(addresses)):
                index = (start + step) % len(addresses)
                self._local.status = None
                self._local.tries += 1
                try:
                    result = run(index)
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
