"""The one wire to Vault: hvac's ``Adapter`` over a kept-alive, pooled ``requests`` session.

Every Vault request of the tool goes through ``Transport.request`` (hvac's adapter
interface; ``Transport.call`` is the JSON convenience the endpoint groups use). It
chooses the address, and turns whatever comes back into accessguard's own errors, once
(``vault/failures.py``):

- An answer that says "not here, not now" moves on to the next configured address:
  no connection, a connection dropped mid-request, a timeout, a sealed or
  uninitialised node, 5xx, 412/429 (a standby that cannot serve it, a rate limit).
  When every address failed that way, it waits (0.25 s doubling to 2 s) and tries
  them again until ``retry_seconds`` have passed, so a leader election or a restart
  is ridden out. If every address is sealed it fails at once (nobody unseals Vault in
  seconds), unless an address stopped answering during this request: a restarted
  node comes back sealed until it is unsealed, and that is waited for too. Any other
  answer (403, 404, a check-and-set refusal, ...) is the answer.
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
- Redirects (a standby pointing at the active node) are followed only to a configured
  address and never from https to http: the token goes nowhere else.

Retrying a write whose answer was lost is safe here: KV writes carry check-and-set
(``Kv.write`` recognises its own write when the retry is refused), and the other
writes the tool makes set state rather than add to it.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import hvac.adapters
import requests
import requests.adapters

from accessguard.errors import AccessGuardError
from accessguard.vault import failures, tls
from accessguard.vault.connection import Connection
from accessguard.vault.failures import Failure, Kind

T = TypeVar("T")

INDEX_HEADER = "X-Vault-Index"
INCONSISTENT_HEADER = "X-Vault-Inconsistent"
FORWARD = "forward-active-node"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 3
#: Kept-alive connections per address: one per worker thread (``--concurrency`` <= 64).
POOL_SIZE = 64


def _index_order(value: str) -> int | None:
    """The raft index inside an OpenBao ``X-Vault-Index`` (base64 JSON), if it has one."""
    try:
        padded = value + "=" * (-len(value) % 4)
        return int(json.loads(base64.b64decode(padded))["value"])
    except (ValueError, KeyError, TypeError):
        return None


def _origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, lower-case host and port of ``url`` (default port filled in)."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def _errors(response: requests.Response) -> tuple[list[object] | None, str]:
    """Vault's ``errors`` list (when the body is JSON and has one) and the body text."""
    text = response.text
    try:
        body = json.loads(text) if text.strip() else None
    except ValueError:
        return None, text
    errors = body.get("errors") if isinstance(body, dict) else None
    return (errors if isinstance(errors, list) else None), text


@dataclass(frozen=True)
class _Call:
    """One request as its caller made it: every try at every address sends it unchanged."""

    method: str
    path: str
    headers: dict[str, str]
    options: dict[str, Any]  # json=, params=, data=: what ``requests.Request`` takes
    what: str  # for messages: "write accessguard/brand-x"
    raising: bool = True  # False: any HTTP answer is returned (hvac's raise_exception)
    refused: Collection[int] = ()  # statuses returned to the caller, not raised


class Transport(hvac.adapters.Adapter):  # type: ignore[misc, unused-ignore]  # hvac: untyped
    """Sends requests to the configured addresses over one pooled session; thread-safe."""

    def __init__(self, connection: Connection) -> None:
        session = requests.Session()
        # The environment (proxies, CA bundle) is read once here rather than on every
        # request: requests scans os.environ per request otherwise (bench/RESULTS.md).
        session.trust_env = False
        session.verify = connection.verify
        if not connection.verify:
            tls.warn_unverified(connection.addresses)
        self._pool = requests.adapters.HTTPAdapter(
            pool_connections=len(connection.addresses), pool_maxsize=POOL_SIZE
        )
        session.mount("http://", self._pool)
        session.mount("https://", self._pool)
        # The token stays in ``connection`` (a masked Secret); it is added per request.
        super().__init__(
            base_uri=connection.addresses[0],
            verify=connection.verify,
            timeout=connection.timeout,
            session=session,
            namespace=connection.namespace,
            allow_redirects=False,
        )
        self.connection = connection
        self._session = session
        addresses = connection.addresses
        self._proxies = {a: requests.utils.get_environ_proxies(a) for a in addresses}
        self._verify = {
            a: tls.verify_for(a, verify=connection.verify, ca_path=connection.ca_path)
            for a in addresses
        }
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

    def get_login_token(self, response: requests.Response) -> str:
        """The client token in a login answer (hvac's adapter interface)."""
        return str(response.json()["auth"]["client_token"])

    # --- requests ----------------------------------------------------------------------------

    def call(
        self,
        what: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        refused: Collection[int] = (),
    ) -> dict[str, Any] | None:
        """One JSON request (``/v1/...``); the answer's JSON object (``{}`` when empty).

        None when Vault answered with a status in ``refused`` (the caller's to handle).
        """
        headers = {"Content-Type": "application/merge-patch+json"} if method == "PATCH" else {}
        response = self.request(method, path, headers, json=body, what=what, refused=refused)
        if response.status_code in refused:
            return None
        try:
            parsed = response.json() if response.content.strip() else {}
        except ValueError:
            parsed = {}
        return parsed if isinstance(parsed, dict) else {}

    def request(
        self,
        method: str,
        url: str,
        headers: dict[str, str] | None = None,
        raise_exception: bool = True,
        *,
        what: str | None = None,
        refused: Collection[int] = (),
        **kwargs: Any,
    ) -> requests.Response:
        """hvac's adapter entry point: ``url`` is the path (``/v1/...``), sent as described above.

        Errors are accessguard errors naming ``what`` (default: method and path). With
        ``raise_exception=False`` any HTTP answer is returned; statuses in ``refused``
        are returned too. Paths are normalised as hvac does: no ``//``, no trailing
        ``/`` (Vault refuses writes to such paths; ``sys/leases/revoke-prefix`` adds it
        back itself).
        """
        route, _, query = url.partition("?")
        while "//" in route:
            route = route.replace("//", "/")
        path = "/" + route.strip("/") + (f"?{query}" if query else "")
        call = _Call(
            method=method,
            path=path,
            headers=self._headers(headers),
            options=kwargs,
            what=what or f"{method.upper()} {path}",
            raising=raise_exception and not self.ignore_exceptions,
            refused=refused,
        )
        return self._attempt(call.what, lambda index: self._send(index, call))

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"X-Vault-Request": "true"}
        if self.connection.token is not None:
            headers["X-Vault-Token"] = self.connection.token.reveal()
        if self.namespace:
            headers["X-Vault-Namespace"] = self.namespace
        if extra:
            headers.update(extra)
        return headers

    def _send(self, index: int, call: _Call) -> requests.Response | Failure:
        """One try at address ``index``: the answer, a ``Failure``, or an accessguard error."""
        addr = self.connection.addresses[index]
        headers = call.headers
        if self._index:
            headers = {**headers, INDEX_HEADER: self._index, INCONSISTENT_HEADER: FORWARD}
        try:
            response = self._exchange(addr, call, headers)
        except (requests.exceptions.RequestException, UnicodeError) as exc:
            outcome = failures.from_network(exc, addr=addr, what=call.what)
            if isinstance(outcome, Failure):
                return outcome
            raise outcome from None
        self._seen(response.headers.get(INDEX_HEADER))
        status = response.status_code
        if status < 400 or not call.raising or status in call.refused:
            return response
        errors, text = _errors(response)
        outcome = failures.from_status(status, errors, text, addr=addr, what=call.what)
        if isinstance(outcome, Failure):
            return outcome
        raise outcome from None

    def _exchange(self, addr: str, call: _Call, headers: dict[str, str]) -> requests.Response:
        """Send, following redirects (same method and body) to configured addresses only.

        The prepared request goes straight to the session's connection pool: the
        session's own per-request layer (cookies, hooks, the environment read again on
        every call) does nothing for Vault and costs CPU that the bulk writes of an
        offboarding pay hundreds of times (bench/RESULTS.md, rotation).
        """
        url = addr + call.path
        for _ in range(MAX_REDIRECTS + 1):
            prepared = requests.Request(call.method, url, headers, **call.options).prepare()
            response = self._pool.send(
                prepared,
                timeout=self.connection.timeout,
                verify=self._verify[addr],
                proxies=self._proxies[addr],
                cert=self.connection.client_cert,
            )
            response.content  # noqa: B018 - read the body: the connection goes back to the pool
            location = response.headers.get("Location")
            if response.status_code not in REDIRECTS or not location:
                return response
            response.close()
            target = urljoin(url, location)
            followed = self._followable(url, target)
            if followed is None:
                raise failures.foreign_redirect(url, target, what=call.what)
            addr, url = followed, target
        raise failures.too_many_redirects(what=call.what)

    def _followable(self, current: str, target: str) -> str | None:
        """The configured address ``target`` lies under, unless it drops https; else None."""
        try:
            scheme, host, port = _origin(target)
        except ValueError:  # a port that is not a number
            return None
        if _origin(current)[0] == "https" and scheme != "https":
            return None
        path = urlsplit(target).path
        for address in self.connection.addresses:
            prefix = urlsplit(address).path.rstrip("/")
            if _origin(address) == (scheme, host, port) and path.startswith(prefix + "/"):
                return address
        return None

    def _seen(self, value: str | None) -> None:
        """Remember the newest ``X-Vault-Index`` of an answer."""
        if not value or value == self._index:
            return
        with self._lock:
            new, old = _index_order(value), _index_order(self._index or "")
            if new is None or old is None or new > old:
                self._index = value

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()

    # --- addresses ---------------------------------------------------------------------------

    def _attempt(self, what: str, run: Callable[[int], T | Failure]) -> T:
        """``run(index)`` on the active address, failing over and retrying as described above."""
        addresses = self.connection.addresses
        deadline = time.monotonic() + max(0.0, self.connection.retry_seconds)
        delay = 0.25
        failed: dict[int, Failure] = {}
        restarting = False
        self._local.tries = 0
        while True:
            if self._find_leader:
                self._route_to_leader()
            start = self._active
            for step in range(len(addresses)):
                index = (start + step) % len(addresses)
                self._local.tries += 1
                outcome = run(index)
                if isinstance(outcome, Failure):
                    failed[index] = outcome
                    restarting = restarting or outcome.kind is Kind.DOWN
                    self._went_down()
                    continue
                self._answered(index)
                return outcome
            kinds = {failure.kind for failure in failed.values()}
            sealed_for_good = kinds == {Kind.SEALED} and not restarting
            if sealed_for_good or time.monotonic() + delay > deadline:
                raise failures.give_up(what, failed, self.connection.addresses)
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _went_down(self) -> None:
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
        call = _Call("GET", "/v1/sys/leader", self._headers(None), {}, "read the leader")
        try:
            answer = self._send(index, call)
        except AccessGuardError:
            return None
        if isinstance(answer, Failure):
            return None
        try:
            status = answer.json()
        except ValueError:
            return None
        return status if isinstance(status, dict) else None
