"""A small HTTP proxy in front of one OpenBao node that injects faults at an exact request.

``VaultProxy(backend)`` forwards every request. ``on(trigger, action)`` runs ``action``
once, just before forwarding the request that matches ``trigger`` (method and a path
fragment, counted: ``Trigger("POST", "/metadata/", nth=4)``). Faults it can serve:

- ``fail_with(status)``: answer every request with that 5xx until ``heal()``;
- ``drop_next_answer()``: forward the next matching request, then close the connection
  without answering (the write happened, the client never hears of it);
- a dead backend (killed node): the client's connection is closed without an answer.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "server", "date"}


@dataclass
class Trigger:
    """The ``nth`` request (1-based) whose method is ``method`` and path contains ``fragment``."""

    method: str
    fragment: str
    nth: int = 1


class VaultProxy:
    """Forwarding proxy with fault injection; ``url`` is what the tool is pointed at."""

    def __init__(self, backend: str) -> None:
        self.backend = backend.rstrip("/")
        self.fail_status: int | None = None
        self.failed_answers = 0
        self._drop: Trigger | None = None
        self._hooks: list[tuple[Trigger, Callable[[], None]]] = []
        self._seen: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The proxy's address."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def on(self, trigger: Trigger, action: Callable[[], None]) -> None:
        """Run ``action`` once, before forwarding the request that matches ``trigger``."""
        self._hooks.append((trigger, action))

    def fail_with(self, status: int) -> None:
        """Answer every request with ``status`` until ``heal()``."""
        self.fail_status = status

    def heal(self) -> None:
        """Forward normally again."""
        self.fail_status = None

    def drop_answer(self, trigger: Trigger) -> None:
        """Forward the request matching ``trigger``, then hang up without answering."""
        self._drop = trigger

    def _count(self, method: str, path: str) -> list[Trigger]:
        """Count this request against every trigger; the triggers it fires."""
        fired = []
        with self._lock:
            triggers = [t for t, _ in self._hooks] + ([self._drop] if self._drop else [])
            for trigger in triggers:
                if method == trigger.method and trigger.fragment in path:
                    key = (trigger.method, trigger.fragment)
                    self._seen[key] = self._seen.get(key, 0) + 1
                    if self._seen[key] == trigger.nth:
                        fired.append(trigger)
        return fired

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fired = proxy._count(self.command, self.path)
                for trigger, action in proxy._hooks:
                    if trigger in fired:
                        action()
                if proxy.fail_status is not None:
                    proxy.failed_answers += 1
                    self._answer(proxy.fail_status, b'{"errors":["injected upstream failure"]}')
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                try:
                    upstream = requests.request(
                        self.command,
                        proxy.backend + self.path,
                        data=body,
                        headers=headers,
                        timeout=10,
                        allow_redirects=False,
                    )
                except requests.RequestException:
                    self.close_connection = True  # a dead node: hang up without an answer
                    return
                if proxy._drop is not None and proxy._drop in fired:
                    proxy._drop = None
                    self.close_connection = True
                    return
                self.send_response(upstream.status_code)
                for key, value in upstream.headers.items():
                    if key.lower() not in HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(upstream.content)))
                self.end_headers()
                self.wfile.write(upstream.content)

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_LIST = _relay

        return Handler

    def __enter__(self) -> VaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextlib.contextmanager
def vault_proxy(backend: str) -> Iterator[VaultProxy]:
    """A running proxy in front of ``backend``."""
    with VaultProxy(backend) as proxy:
        yield proxy
