"""Loopback servers for redirect tests: one that redirects every request, one that records.

``Loopback(answer)`` serves on a free loopback port (HTTPS when given an
``ssl.SSLContext``); ``answer(method, path)`` returns the status and headers to send,
and every request is kept in ``received`` (method, path, headers by lower-case name),
so a test can check what a server that should never be reached was sent.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = Callable[[str, str], tuple[int, dict[str, str]]]


@dataclass(frozen=True)
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]


def redirect_to(base: str, status: int = 307) -> Answer:
    """An ``answer`` that redirects every request to the same path under ``base``."""
    return lambda method, path: (status, {"Location": base.rstrip("/") + path})


def ok(method: str, path: str) -> tuple[int, dict[str, str]]:
    """An ``answer`` that accepts everything (an empty JSON object)."""
    return 200, {"Content-Type": "application/json"}


class Loopback:
    """A threaded HTTP(S) server on 127.0.0.1 answering with ``answer``."""

    def __init__(self, answer: Answer, *, tls: ssl.SSLContext | None = None) -> None:
        self.received: list[Received] = []
        self._answer = answer
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"{self.scheme}://127.0.0.1:{self._server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.received.append(Received(self.command, self.path, headers))
                status, extra = server._answer(self.command, self.path)
                body = b"{}" if status == 200 else b""
                self.send_response(status)
                for key, value in extra.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = _serve

        return Handler

    def __enter__(self) -> Loopback:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
