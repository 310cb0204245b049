"""Notification email through a real SMTP server: a resent notification is the same message."""

from __future__ import annotations

from accessguard.app import App
from accessguard.config import load_settings
from accessguard.playbooks.actions.notify import send_email
from accessguard.results import Outcome
from support.reports_servers import smtp_server


def test_a_notification_sent_again_keeps_its_message_id() -> None:
    with smtp_server() as box:
        settings = load_settings(
            overrides={
                "smtp.host": "127.0.0.1",
                "smtp.port": box.port,
                "smtp.sender": "it@example.com",
                "smtp.security": "none",  # a local relay without a login
            }
        )
        app = App(settings=settings)
        for key in ("run-1:notify:subject", "run-1:notify:subject", "run-2:notify:subject", None):
            sent = send_email(app, ["security@example.com"], "Offboarded", "Ann left", key=key)
            assert sent.outcome is Outcome.CHANGED
    ids = [message["Message-ID"] for message in box.messages]
    assert len(ids) == 4 and ids[0] == ids[1] != ids[2]
    assert ids[0].startswith("<") and ids[0].endswith("@example.com>")
    assert ids[3] is None or ids[3] not in ids[:3]
    assert all(
        m["Subject"] == "Offboarded" and m["To"] == "security@example.com" for m in box.messages
    )
