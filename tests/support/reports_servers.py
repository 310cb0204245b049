"""A real SMTP server (aiosmtpd) and a tiny Slack-like webhook receiver, on free loopback ports."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from support.servers import free_port


@dataclass
class Mailbox:
    """Messages the SMTP server accepted."""

    port: int
    messages: list[Message] = field(default_factory=list)


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """An aiosmtpd server that keeps every message it receives."""
    from aiosmtpd.controller import Controller

    box = Mailbox(free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.messages.append(message_from_bytes(envelope.original_content or envelope.content))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class Webhook:
    """JSON bodies posted to the webhook."""

    url: str
    posts: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def webhook_server() -> Iterator[Webhook]:
    """An HTTP server that records JSON posts and answers 200 ok, like Slack."""
    from support.egress import admin_allows

    port = free_port()
    hook = Webhook(f"http://127.0.0.1:{port}/services/T000/B000/XXXX")
    admin_allows(hook.url)  # the admin trusts this stand-in for hooks.slack.com

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hook.posts.append(json.loads(body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
