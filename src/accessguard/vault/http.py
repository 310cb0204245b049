"""A lean keep-alive HTTP connection to one Vault address, for the requests made in bulk.

An offboarding rotates hundreds of shared logins: two small KV requests each. Through
hvac and requests every request costs about 0.5 ms of Python CPU, and since that CPU
holds the GIL, more threads do not help; ``http.client`` on a kept-alive connection
costs about 0.17 ms, and the plain-socket exchange here about 0.07 ms. ``Transport.request`` sends those requests here, with the same
failover, retries, headers and error translation as every other Vault call
(``vault/transport.py``).

TLS is verified as requests would verify it: ``REQUESTS_CA_BUNDLE`` or
``CURL_CA_BUNDLE`` when set, else certifi's bundle; ``verify = false`` turns it off.
When a proxy from the environment applies to the address, ``lean_connection`` returns
None and the caller goes through requests, which honours it.
"""

from __future__ import annotations

import functools
import os
import select
import socket
import ssl
import sys
from urllib.parse import urlsplit

MAX_HEAD = 64 * 1024  # status line and headers; Vault's are a few hundred bytes


class ProtocolError(OSError):
    """The server's answer was not HTTP/1.x as expected (the connection is closed)."""


class Headers(dict[str, str]):
    """Response headers by lower-cased name; ``get`` ignores case like HTTP does."""

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        """The header's value, whatever the case of ``name``."""
        return super().get(name.lower(), default)


class LeanConnection:
    """One kept-alive HTTP/1.1 connection (not thread-safe: one per thread and address).

    It speaks just enough HTTP/1.1 for Vault's API over a plain socket: a request with
    a Content-Length body; an answer with a Content-Length, chunked or read-to-close
    body. ``http.client`` parses every answer's headers with the email package, which
    costs more than the rest of the exchange.
    """

    def __init__(self, address: str, *, timeout: float, context: ssl.SSLContext | None) -> None:
        parts = urlsplit(address)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or (443 if self._https else 80)
        default = (self._https and self._port == 443) or (not self._https and self._port == 80)
        host = f"[{self._host}]" if ":" in self._host else self._host
        self._authority = host if default else f"{host}:{self._port}"
        self._base = parts.path.rstrip("/")
        self._timeout = timeout
        self._context = context
        self._sock: socket.socket | None = None
        self._buffer = b""

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((self._host, self._port), timeout=self._timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._https:
                assert self._context is not None
                sock = self._context.wrap_socket(sock, server_hostname=self._host)
        except BaseException:
            sock.close()
            raise
        return sock

    def _reusable(self) -> socket.socket | None:
        """The open connection, unless the server closed it while idle."""
        sock = self._sock
        if sock is None:
            return None
        readable, _, _ = select.select([sock], [], [], 0)
        if readable or self._buffer:  # an idle keep-alive socket is readable once closed
            self.close()
            return None
        return sock

    def request(
        self, method: str, path: str, *, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, Headers, bytes]:
        """Send one request; (status, headers, body). OSError on failure (connection closed)."""
        sock = self._reusable() or self._connect()
        self._sock = sock
        lines = [f"{method} {self._base}{path} HTTP/1.1", f"Host: {self._authority}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body or b'')}")
        if any("\r" in line or "\n" in line for line in lines) or " " in path:
            raise ValueError("a header or path holds a line break or space (refused)")
        try:
            sock.sendall("\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + (body or b""))
            status, answer, data, keep = self._answer(sock, method)
        except BaseException:
            self.close()
            raise
        if not keep:
            self.close()
        return status, answer, data

    def _answer(self, sock: socket.socket, method: str) -> tuple[int, Headers, bytes, bool]:
        while True:
            head = self._read_until(sock, b"\r\n\r\n", MAX_HEAD)
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            version, _, rest = status_line.partition(" ")
            code = rest[:3]
            if not version.startswith("HTTP/1.") or not code.isdigit():
                raise ProtocolError(f"not an HTTP/1.x answer: {status_line[:60]!r}")
            status = int(code)
            answer = Headers()
            for line in header_lines:
                name, sep, value = line.partition(":")
                if sep:
                    answer[name.strip().lower()] = value.strip()
            if not 100 <= status < 200:  # skip interim answers
                break
        connection = (answer.get("connection") or "").lower()
        keep = "close" not in connection and (version == "HTTP/1.1" or "keep-alive" in connection)
        if method == "HEAD" or status in (204, 304):
            return status, answer, b"", keep
        if "chunked" in (answer.get("transfer-encoding") or "").lower():
            return status, answer, self._chunked(sock), keep
        length = answer.get("content-length")
        if length is not None:
            if not length.isdigit():
                raise ProtocolError(f"bad Content-Length: {length[:20]!r}")
            return status, answer, self._read_exactly(sock, int(length)), keep
        data, self._buffer = self._buffer + self._read_to_close(sock), b""
        return status, answer, data, False

    def _recv(self, sock: socket.socket) -> bytes:
        chunk = sock.recv(65536)
        if not chunk:
            raise ProtocolError("the server closed the connection mid-answer")
        return chunk

    def _read_until(self, sock: socket.socket, marker: bytes, limit: int) -> bytes:
        while (end := self._buffer.find(marker)) < 0:
            if len(self._buffer) > limit:
                raise ProtocolError("answer headers too long")
            self._buffer += self._recv(sock)
        found, self._buffer = self._buffer[:end], self._buffer[end + len(marker) :]
        return found

    def _read_exactly(self, sock: socket.socket, count: int) -> bytes:
        parts, have = [self._buffer], len(self._buffer)
        while have < count:
            chunk = self._recv(sock)
            parts.append(chunk)
            have += len(chunk)
        data = b"".join(parts)
        data, self._buffer = data[:count], data[count:]
        return data

    def _chunked(self, sock: socket.socket) -> bytes:
        parts: list[bytes] = []
        while True:
            size_line = self._read_until(sock, b"\r\n", 1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise ProtocolError(f"bad chunk size: {size_line[:20]!r}") from None
            if size == 0:
                while self._read_until(sock, b"\r\n", MAX_HEAD):  # trailers, then a blank line
                    pass
                return b"".join(parts)
            parts.append(self._read_exactly(sock, size))
            if self._read_exactly(sock, 2) != b"\r\n":
                raise ProtocolError("chunk not terminated by CRLF")

    def _read_to_close(self, sock: socket.socket) -> bytes:
        parts: list[bytes] = []
        while chunk := sock.recv(65536):
            parts.append(chunk)
        return b"".join(parts)

    def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self._buffer = b""

    def __del__(self) -> None:  # a pool thread's connection, when the thread ends
        if getattr(self, "_sock", None) is not None:
            self.close()


def lean_connection(address: str, *, timeout: float, verify: bool) -> LeanConnection | None:
    """A lean connection to ``address``; None when an environment proxy applies to it."""
    parts = urlsplit(address)
    if _may_use_proxy():
        import urllib.request

        proxies = urllib.request.getproxies()  # *_proxy from the environment, as requests does
        proxy = proxies.get(parts.scheme) or proxies.get("all")
        if proxy and not urllib.request.proxy_bypass(parts.netloc):  # no_proxy
            return None
    context = _tls_context(verify) if parts.scheme == "https" else None
    return LeanConnection(address, timeout=timeout, context=context)


def _may_use_proxy() -> bool:
    """False when no proxy can apply: off macOS and Windows (whose proxy settings live in the
    system), proxies come only from ``*_proxy`` variables; this spares importing urllib.request."""
    if sys.platform in ("darwin", "win32"):
        return True
    return any(name.lower().endswith("_proxy") for name in os.environ)


def _tls_context(verify: bool) -> ssl.SSLContext:
    """The TLS context for ``verify``, with the CA bundle requests would use."""
    if not verify:
        return _context(None)
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if not bundle:
        import certifi

        bundle = certifi.where()
    return _context(bundle)


@functools.cache
def _context(bundle: str | None) -> ssl.SSLContext:
    """One context per CA bundle and process (loading a bundle costs milliseconds; contexts
    are safe to share between connections and threads); None: verification off."""
    if bundle is None:
        return ssl._create_unverified_context()  # noqa: S323 - the user turned verify off
    if os.path.isdir(bundle):
        return ssl.create_default_context(capath=bundle)
    return ssl.create_default_context(cafile=bundle)
