"""A lean keep-alive HTTP connection to one Vault address, for the requests made in bulk.

An offboarding rotates hundreds of shared logins: two small KV requests each. Through
hvac and requests every request costs about 0.5 ms of Python CPU, and since that CPU
holds the GIL, more threads do not help; ``http.client`` on a kept-alive connection
costs about 0.1 ms. ``Transport.request`` sends those requests here, with the same
failover, retries, headers and error translation as every other Vault call
(``vault/transport.py``).

TLS is verified as requests would verify it: ``REQUESTS_CA_BUNDLE`` or
``CURL_CA_BUNDLE`` when set, else certifi's bundle; ``verify = false`` turns it off.
When a proxy from the environment applies to the address, ``lean_connection`` returns
None and the caller goes through requests, which honours it.
"""

from __future__ import annotations

import functools
import http.client
import os
import select
import ssl
from urllib.parse import urlsplit


class LeanConnection:
    """One kept-alive connection (not thread-safe: one per thread and address)."""

    def __init__(self, address: str, *, timeout: float, context: ssl.SSLContext | None) -> None:
        parts = urlsplit(address)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or (443 if self._https else 80)
        self._base = parts.path.rstrip("/")
        self._timeout = timeout
        self._context = context
        self._conn: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._https:
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=self._timeout, context=self._context
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)

    def _reusable(self) -> http.client.HTTPConnection | None:
        """The open connection, unless the server closed it while idle."""
        conn = self._conn
        if conn is None or conn.sock is None:
            return None
        readable, _, _ = select.select([conn.sock], [], [], 0)
        if readable:  # an idle keep-alive socket is readable only once it was closed
            self.close()
            return None
        return conn

    def request(
        self, method: str, path: str, *, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        """Send one request; (status, headers, body). OSError or HTTPException on failure."""
        conn = self._reusable() or self._connect()
        self._conn = conn
        try:
            conn.request(method, self._base + path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status, response.headers, data

    def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __del__(self) -> None:  # a pool thread's connection, when the thread ends
        if getattr(self, "_conn", None) is not None:
            self.close()


def lean_connection(address: str, *, timeout: float, verify: bool) -> LeanConnection | None:
    """A lean connection to ``address``; None when an environment proxy applies to it."""
    import urllib.request

    parts = urlsplit(address)
    proxies = urllib.request.getproxies()  # *_proxy from the environment, as requests reads them
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if proxy and not urllib.request.proxy_bypass(parts.netloc):  # no_proxy
        return None
    context = _tls_context(verify) if parts.scheme == "https" else None
    return LeanConnection(address, timeout=timeout, context=context)


@functools.cache
def _tls_context(verify: bool) -> ssl.SSLContext:
    """One TLS context per process (loading a CA bundle costs milliseconds; contexts are
    safe to share between connections and threads)."""
    if not verify:
        return ssl._create_unverified_context()  # noqa: S323 - the user turned verify off
    import certifi

    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    bundle = bundle or certifi.where()
    if os.path.isdir(bundle):
        return ssl.create_default_context(capath=bundle)
    return ssl.create_default_context(cafile=bundle)
