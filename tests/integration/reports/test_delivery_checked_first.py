"""`report access --email/--slack` checks its delivery settings before anything else.

A missing or bad setting (SMTP password, security, cafile, recipient, webhook, a host
the egress rules refuse) gives one ``error:`` line and a ``hint:``, and nothing is
printed on stdout, written to ``--out`` or sent to the mail server or the webhook.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from accessguard.app import App
from accessguard.cli.main import cli
from support.reports_servers import Mailbox, smtp_server, webhook_server
from support.servers import free_port
from support.smtp_tls import make_ca, tls_smtp_server


def _smtp_env(box: Mailbox, **extra: str) -> dict[str, str]:
    return {
        "ACCESSGUARD_SMTP_HOST": "127.0.0.1",
        "ACCESSGUARD_SMTP_PORT": str(box.port),
        "ACCESSGUARD_SMTP_SENDER": "reports@example.com",
        "ACCESSGUARD_SMTP_SECURITY": "none",
        "ACCESSGUARD_SMTP_PASSWORD": "",
        "ACCESSGUARD_SLACK_WEBHOOK": "",
        **extra,
    }


def _run(app: App, out: Path, env: dict[str, str], *delivery: str) -> Result:
    args = ["--db", app.settings.database_url, "report", "access", "--format", "html"]
    args += ["--out", str(out), *delivery]
    return CliRunner().invoke(cli, args, env=env)


def _refused(result: Result, out: Path, message: str) -> None:
    """One error line and a hint on stderr; nothing on stdout; no --out file."""
    assert result.exit_code in (1, 2), result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    assert lines[1].startswith("hint: "), result.stderr
    assert message in lines[0]
    assert not out.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"ACCESSGUARD_SMTP_USERNAME": "reports", "ACCESSGUARD_SMTP_SECURITY": "starttls"},
            "no SMTP password is set",
        ),
        ({"ACCESSGUARD_SMTP_SECURITY": "ssl"}, "[smtp] security = 'ssl'"),
        (
            {
                "ACCESSGUARD_SMTP_SECURITY": "starttls",
                "ACCESSGUARD_SMTP_CAFILE": "/nonexistent.pem",
            },
            "[smtp] cafile",
        ),
    ],
    ids=["username-without-password", "unknown-security", "unreadable-cafile"],
)
def test_a_bad_smtp_setting_stops_before_the_report(
    findings_app: App, tmp_path: Path, extra: dict[str, str], message: str
) -> None:
    out = tmp_path / "review.html"
    with smtp_server() as box:
        result = _run(findings_app, out, _smtp_env(box, **extra), "--email", "sec@example.com")
    _refused(result, out, message)
    assert box.messages == []


def test_a_mail_server_that_is_down_stops_before_the_report(
    findings_app: App, tmp_path: Path
) -> None:
    out = tmp_path / "review.html"
    down = Mailbox(free_port())  # nothing listens there
    result = _run(findings_app, out, _smtp_env(down), "--email", "sec@example.com")
    _refused(result, out, "could not use the mail server 127.0.0.1:")


def test_a_wrong_smtp_password_stops_before_the_report(findings_app: App, tmp_path: Path) -> None:
    """The server is asked for a login first (no message): a wrong password prints nothing."""
    out = tmp_path / "review.html"
    certs = make_ca(tmp_path, name="mail")
    with tls_smtp_server(certs, password="the-right-one") as box:
        env = {
            **_smtp_env(Mailbox(box.port)),
            "ACCESSGUARD_SMTP_SECURITY": "starttls",
            "ACCESSGUARD_SMTP_CAFILE": str(certs.cafile),
            "ACCESSGUARD_SMTP_USERNAME": "reports",
            "ACCESSGUARD_SMTP_PASSWORD": "a-wrong-one",
        }
        result = _run(findings_app, out, env, "--email", "sec@example.com")
    _refused(result, out, "could not use the mail server")
    assert box.logins == [("reports", "a-wrong-one")]
    assert box.messages == []
    assert "a-wrong-one" not in result.output


def test_a_bad_recipient_stops_before_the_report(findings_app: App, tmp_path: Path) -> None:
    out = tmp_path / "review.html"
    with smtp_server() as box:
        result = _run(findings_app, out, _smtp_env(box), "--email", "security at example")
    _refused(result, out, "is not a valid email address")
    assert box.messages == []


def test_no_webhook_stops_before_the_report_and_before_any_email(
    findings_app: App, tmp_path: Path
) -> None:
    """Email set up, Slack not: neither goes out, nothing is printed or written."""
    out = tmp_path / "review.html"
    with smtp_server() as box:
        env = _smtp_env(box)
        result = _run(findings_app, out, env, "--email", "sec@example.com", "--slack")
    _refused(result, out, "no Slack webhook is configured")
    assert box.messages == []


def test_a_refused_webhook_sends_nothing_to_the_listening_host(
    findings_app: App, tmp_path: Path
) -> None:
    """The same refusal with the receiver's own URL: it hears nothing, the URL is not echoed."""
    out = tmp_path / "review.html"
    port = free_port()
    hits: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hits.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {"ACCESSGUARD_SLACK_WEBHOOK": f"http://127.0.0.1:{port}/services/T000/B000/XXXX"}
        result = _run(findings_app, out, env, "--slack")
    finally:
        server.shutdown()
    _refused(result, out, "refused to send credentials")
    assert hits == []
    assert "services/T000" not in result.output


def test_good_settings_still_print_write_and_deliver(findings_app: App, tmp_path: Path) -> None:
    """The check comes first, and the report then goes everywhere asked."""
    out = tmp_path / "review.html"
    with smtp_server() as box, webhook_server() as hook:
        env = _smtp_env(box, ACCESSGUARD_SLACK_WEBHOOK=hook.url)
        result = _run(findings_app, out, env, "--email", "Sec@Example.com", "--slack")
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [m["To"] for m in box.messages] == ["sec@example.com"]
    assert len(hook.posts) == 1
