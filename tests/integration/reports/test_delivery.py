"""Reports reach people: by email to a real SMTP server with the HTML attached, and to Slack.

The Slack webhook is a bearer secret: it comes from the environment, Vault or the
keyring, and a URL on the command line is refused without being repeated.
"""

from __future__ import annotations

import json
import uuid

import pytest
import requests
from click.testing import CliRunner

from accessguard.app import App
from accessguard.cli.main import cli
from support.memory_keyring import memory_keyring
from support.reports_servers import smtp_server, webhook_server
from support.servers import OpenBao


def test_email_and_slack(findings_app: App) -> None:
    with smtp_server() as box, webhook_server() as hook:
        env = {
            "ACCESSGUARD_SMTP_HOST": "127.0.0.1",
            "ACCESSGUARD_SMTP_PORT": str(box.port),
            "ACCESSGUARD_SMTP_SENDER": "reports@example.com",
            "ACCESSGUARD_SMTP_SECURITY": "none",  # a local relay without a login
            "ACCESSGUARD_COMPANY_DOMAINS": "example.com",
            "ACCESSGUARD_SLACK_WEBHOOK": hook.url,
        }
        args = ["--db", findings_app.settings.database_url, "report", "access", "--format", "json"]
        args += [
            "--email",
            "security@example.com",
            "--slack",
            "--fail-on",
            "high",
        ]
        result = CliRunner().invoke(cli, args, catch_exceptions=False, env=env)
        assert result.exit_code == 3  # findings at or above high, and still delivered
    assert len(box.messages) == 1
    message = box.messages[0]
    assert message["To"] == "security@example.com"
    assert "finding(s)" in message["Subject"]
    attachments = [p for p in message.walk() if p.get_filename()]
    assert len(attachments) == 1
    assert attachments[0].get_content_type() == "text/html"
    html = attachments[0].get_payload(decode=True).decode()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "brand-orphan" in html
    assert len(hook.posts) == 1
    assert "critical" in hook.posts[0]["text"] and "departed-holds-access" in hook.posts[0]["text"]


def test_smtp_down_is_a_clear_error(clean_app: App) -> None:
    from support.servers import free_port

    env = {"ACCESSGUARD_SMTP_HOST": "127.0.0.1", "ACCESSGUARD_SMTP_PORT": str(free_port())}
    args = ["--db", clean_app.settings.database_url, "report", "access", "--email", "a@example.com"]
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 1
    assert "could not use the mail server 127.0.0.1:" in result.output
    assert "for the report (checked first, nothing was sent)" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("form", ["separate", "joined", "after --slack"])
def test_a_webhook_url_on_the_command_line_is_refused(clean_app: App, form: str) -> None:
    with webhook_server() as hook:
        given = {
            "separate": ["--slack-webhook", hook.url],
            "joined": [f"--slack-webhook={hook.url}"],
            "after --slack": ["--slack", hook.url],
        }[form]
        args = ["--db", clean_app.settings.database_url, "report", "access", *given]
        result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "ACCESSGUARD_SLACK_WEBHOOK" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "services/T000" not in result.output
    assert hook.posts == []


def test_the_webhook_comes_from_the_keyring(clean_app: App) -> None:
    with webhook_server() as hook, memory_keyring() as keys:
        keys.set_password(
            "accessguard", "connectors/notifiers/slack", json.dumps({"url": hook.url})
        )
        args = ["--db", clean_app.settings.database_url, "report", "access", "--slack"]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0
    assert len(hook.posts) == 1


def test_slack_without_a_configured_webhook_says_where_to_put_it(clean_app: App) -> None:
    args = ["--db", clean_app.settings.database_url, "report", "access", "--slack"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "no Slack webhook is configured" in result.output
    assert "ACCESSGUARD_SLACK_WEBHOOK" in result.output


def test_the_webhook_comes_from_vault(clean_app: App, openbao: OpenBao) -> None:
    """The slack notifier's secret ``url`` in Vault, where a playbook's notify step reads it."""
    from accessguard.connectors.tokens import vault_path

    prefix = f"t{uuid.uuid4().hex[:8]}"
    with webhook_server() as hook:
        written = requests.post(
            f"{openbao.addr}/v1/secret/data/{vault_path(prefix, 'notifiers', 'slack')}",
            headers={"X-Vault-Token": openbao.token},
            json={"data": {"url": hook.url}},
            timeout=5,
        )
        assert written.status_code == 200, written.text
        env = {
            "VAULT_ADDR": openbao.addr,
            "VAULT_TOKEN": openbao.token,
            "ACCESSGUARD_VAULT_PREFIX": prefix,
        }
        args = ["--db", clean_app.settings.database_url, "report", "access", "--slack"]
        result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0
    assert len(hook.posts) == 1
