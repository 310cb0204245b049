"""The lean Vault connection's HTTP/1.1 exchange, against a loopback server sending exact bytes.

Vault (Go's net/http) answers with Content-Length or chunked bodies, keeps connections
alive, and closes idle ones; each shape is checked here byte for byte, with what the
server received.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from accessguard.vault.http import LeanConnection, ProtocolError

JSON = {"Content-Type": "application/json"}


class Canned:
    """A loopback server: per connection, reads one request at a time and sends the next answer.

    ``answers`` holds, for each connection accepted, the raw answers to send in turn;
    ``None`` closes the connection instead of answering. What it received is kept.
    """

    def __init__(self, answers: list[list[bytes | None]]) -> None:
        self.answers = answers
        self.received: list[list[bytes]] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        for script in self.answers:
            conn, _ = self.listener.accept()
            got: list[bytes] = []
            self.received.append(got)
            with conn:
                buffer = b""
                for answer in script:
                    while b"\r\n\r\n" not in buffer:
                        chunk = conn.recv(65536)
                        if not chunk:
                            return
                        buffer += chunk
                    head, _, rest = buffer.partition(b"\r\n\r\n")
                    length = 0
                    for line in head.split(b"\r\n")[1:]:
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value)
                    while len(rest) < length:
                        rest += conn.recv(65536)
                    got.append(head + b"\r\n\r\n" + rest[:length])
                    buffer = rest[length:]
                    if answer is None:
                        break
                    conn.sendall(answer)

    def close(self) -> None:
        self.listener.close()


@contextmanager
def canned(answers: list[list[bytes | None]]) -> Iterator[Canned]:
    server = Canned(answers)
    try:
        yield server
    finally:
        server.close()


def _lean(server: Canned) -> LeanConnection:
    return LeanConnection(f"http://127.0.0.1:{server.port}", timeout=5, context=None)


def test_content_length_answers_reuse_one_connection_and_send_exact_requests() -> None:
    body = b'{"data":{"version":2}}'
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Vault-Index: abc\r\n"
    answer += f"Content-Length: {len(body)}\r\n\r\n".encode() + body
    with canned([[answer, answer]]) as server:
        lean = _lean(server)
        first = lean.request("PATCH", "/v1/secret/data/a", headers=JSON, body=b'{"x":1}')
        second = lean.request("GET", "/v1/secret/data/a", headers={}, body=None)
        lean.close()
    assert first[0] == 200 and first[2] == body and second[2] == body
    assert first[1].get("x-vault-index") == "abc" and first[1].get("X-Vault-Index") == "abc"
    assert len(server.received) == 1  # one connection for both requests
    patch, get = server.received[0]
    assert patch.startswith(b"PATCH /v1/secret/data/a HTTP/1.1\r\n")
    assert f"Host: 127.0.0.1:{server.port}\r\n".encode() in patch
    assert b"Content-Length: 7\r\n" in patch and patch.endswith(b'\r\n\r\n{"x":1}')
    assert get.startswith(b"GET /v1/secret/data/a HTTP/1.1\r\n")
    assert b"Content-Length" not in get


def test_chunked_answer_with_extension_and_trailer_is_decoded() -> None:
    answer = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"
    )
    after = b"HTTP/1.1 204 No Content\r\n\r\n"
    with canned([[answer, after]]) as server:
        lean = _lean(server)
        status, _, data = lean.request("GET", "/v1/big", headers={}, body=None)
        second = lean.request("DELETE", "/v1/big", headers={}, body=None)
        lean.close()
    assert (status, data) == (200, b"hello, world")
    assert second[0] == 204 and second[2] == b""
    assert len(server.received) == 1  # the chunked answer left the connection reusable


def test_connection_close_and_read_to_close_bodies_open_a_new_connection() -> None:
    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"
    unframed = b"HTTP/1.0 200 OK\r\n\r\n{}"  # no length: the body ends when the server closes
    with canned([[closing], [unframed], [closing]]) as server:
        lean = _lean(server)
        results = [lean.request("GET", "/v1/x", headers={}, body=None) for _ in range(3)]
        lean.close()
    assert [(s, d) for s, _, d in results] == [(200, b"{}")] * 3
    assert len(server.received) == 3


def test_server_closing_an_idle_connection_is_noticed_before_sending() -> None:
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    with canned([[ok, None], [ok]]) as server:
        lean = _lean(server)
        lean.request("GET", "/v1/a", headers={}, body=None)
        # The server's next step closes the first connection as soon as it reads a request;
        # simulate idleness by letting it close first: send nothing, wait for the close.
        sock = lean._sock
        assert sock is not None
        sock.sendall(b"GET /v1/probe HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.settimeout(5)
        assert sock.recv(10) == b""  # closed by the server
        status, _, _ = lean.request("GET", "/v1/b", headers={}, body=None)
        lean.close()
    assert status == 200 and len(server.received) == 2


@pytest.mark.parametrize(
    "answer",
    [
        b"SSH-2.0-OpenSSH\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}",  # then closed: short body
    ],
    ids=["not-http", "bad-length", "bad-chunk", "short-body"],
)
def test_malformed_or_cut_answers_raise_oserror_and_close(answer: bytes) -> None:
    with canned([[answer]]) as server:
        lean = _lean(server)
        with pytest.raises(OSError):
            lean.request("GET", "/v1/x", headers={}, body=None)
        assert lean._sock is None


def test_protocol_error_is_an_oserror() -> None:
    assert issubclass(ProtocolError, OSError)


def test_base_path_and_default_port_in_request_line_and_host() -> None:
    lean = LeanConnection("http://vault.example:80/prefix/", timeout=1, context=None)
    assert lean._authority == "vault.example" and lean._base == "/prefix"
    lean6 = LeanConnection("http://[::1]:8200", timeout=1, context=None)
    assert lean6._authority == "[::1]:8200"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/v1/x", {"X-Vault-Token": "tok\r\nX-Evil: 1"}),
        ("/v1/x", {"X-Vault-Namespace": "ns\nX-Evil: 1"}),
        ("/v1/x HTTP/1.1\r\nX-Evil: 1\r\n\r\nGET /v1/y", {}),
    ],
    ids=["token-crlf", "namespace-lf", "path-split"],
)
def test_header_or_path_injection_is_refused_before_sending(
    path: str, headers: dict[str, str]
) -> None:
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    with canned([[ok]]) as server:
        lean = _lean(server)
        with pytest.raises(ValueError):
            lean.request("GET", path, headers=headers, body=None)
        lean.request("GET", "/v1/fine", headers={}, body=None)  # the connection is still usable
        lean.close()
    assert len(server.received[0]) == 1 and server.received[0][0].startswith(b"GET /v1/fine ")


def test_proxy_variables_decide_whether_urllib_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from accessguard.vault import http

    if sys.platform in ("darwin", "win32"):
        pytest.skip("system proxy settings: always asked there")
    for name in [n for n in os.environ if n.lower().endswith("_proxy")]:
        monkeypatch.delenv(name)
    assert not http._may_use_proxy()
    assert http.lean_connection("http://127.0.0.1:1", timeout=1, verify=True) is not None
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    assert http._may_use_proxy()
    assert http.lean_connection("https://vault.example:8200", timeout=1, verify=True) is None
