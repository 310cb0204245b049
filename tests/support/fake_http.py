"""A threaded HTTP server on a free loopback port with scripted faults, for platform fakes.

Subclasses implement ``route(request)``; tests script faults with ``fail_next`` (a
status, headers and body to answer instead, optionally after a delay) so retries,
throttling and timeouts run against a real socket. A fake stands for a server the
admin trusts: starting it adds its ``host:port`` to the test's ``[connectors]
allowed_hosts`` (``support.egress``), unless it is built with ``trusted=False``
(an attacker's server).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from support.egress import admin_allows
from support.servers import free_port

_ids = itertools.count(100001)


def next_id() -> str:
    """A fresh numeric id, unique across every fake in the test run."""
    return str(next(_ids))


@dataclass
class Request:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    #: every value of each query parameter (repeated parameters such as ``a=1&a=2``).
    query_all: dict[str, list[str]] = field(default_factory=dict)

    def json(self) -> Any:
        """The body parsed as JSON (None if empty or invalid)."""
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def form(self) -> dict[str, str]:
        """The body parsed as a URL-encoded form."""
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}

    def header(self, name: str) -> str | None:
        """A header, case-insensitively."""
        return self.headers.get(name.lower())


@dataclass
class Reply:
    """What the fake answers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encoded(self) -> tuple[bytes, str]:
        if self.body is None:
            return b"", "application/json"
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain"
        return json.dumps(self.body).encode(), "application/json"


class FakeServer:
    """Base of every platform fake: start/stop, scripted faults, a request counter."""

    def __init__(self, *, trusted: bool = True) -> None:
        self.trusted = trusted
        self.port = free_port()
        self.faults: list[tuple[str, Reply]] = []
        self.hits: list[Request] = []
        #: headers added to every answer of the platform (its rate-limit usage headers).
        self.usage_headers: dict[str, str] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """The base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeServer:
        """Serve in a daemon thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query={k: v[0] for k, v in parse_qs(parts.query).items()},
                    query_all=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                reply = fake.dispatch(request)
                if reply.delay:
                    time.sleep(reply.delay)
                body, ctype = reply.encoded()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.headers.pop("Content-Type", ctype))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        if self.trusted:
            admin_allows(self.url)
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.secure(self._server)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def secure(self, server: ThreadingHTTPServer) -> None:
        """Wrap the listening socket in TLS (plain http here; see ``fake_tls``)."""

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        body: Any = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        path: str = "",
    ) -> None:
        """Answer the next ``times`` requests whose path starts with ``path`` with this."""
        with self._lock:
            for _ in range(times):
                self.faults.append((path, Reply(status, body, dict(headers or {}), delay)))

    def dispatch(self, request: Request) -> Reply:
        """A scripted fault if one matches, else the platform's own answer."""
        with self._lock:
            self.hits.append(request)
            for index, (prefix, reply) in enumerate(self.faults):
                if request.path.startswith(prefix):
                    del self.faults[index]
                    return Reply(reply.status, reply.body, dict(reply.headers), reply.delay)
        with self._lock:
            reply = self.route(request)
            reply.headers = {**self.usage_headers, **reply.headers}
            return reply

    def route(self, request: Request) -> Reply:
        """The platform's behaviour (override)."""
        return Reply(404, {"message": "no such endpoint"})
