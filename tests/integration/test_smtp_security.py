"""SMTP under attack, against a real aiosmtpd server on loopback with a throwaway CA.

A password is sent only inside TLS the client verified: an untrusted certificate, a
server that does not offer STARTTLS (a strip attack) and ``security = "none"`` with a
username are refused before any AUTH reaches the server; an empty password is missing,
never a login; the password appears in no output, log line or exception.
"""

from __future__ import annotations

import dataclasses
import logging
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from accessguard.app import App
from accessguard.cli.main import cli
from accessguard.config import SmtpSettings, load_settings
from accessguard.connectors.email import send_email, smtp_password
from accessguard.errors import ConfigError, ConnectorError
from accessguard.playbooks.actions.notify import send_email as notify_email
from accessguard.results import Outcome
from accessguard.secret import Secret
from support.memory_keyring import MemoryKeyring, memory_keyring
from support.servers import OpenBao
from support.smtp_tls import Certs, make_ca, tls_smtp_server

PASSWORD = "smtp-Pa55word-never-shown"
TO = ["security@example.com"]


@pytest.fixture
def certs(tmp_path: Path) -> Certs:
    return make_ca(tmp_path, name="trusted")


@pytest.fixture
def keys() -> Iterator[MemoryKeyring]:
    with memory_keyring() as backend:
        yield backend


def smtp(port: int, **changes: object) -> SmtpSettings:
    base = SmtpSettings(host="127.0.0.1", port=port, sender="reports@example.com", timeout=5)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def app_with(username: str, **overrides: str) -> App:
    """An app with this [smtp] username and these ``section.key`` overrides, nothing else."""
    overrides["smtp.username"] = username
    return App(settings=load_settings(Path("/nonexistent.toml"), environ={}, overrides=overrides))


def send(settings: SmtpSettings, password: str | None = PASSWORD) -> None:
    send_email(
        settings,
        TO,
        subject="Access review",
        body="3 findings",
        password=Secret(password) if password is not None else None,
        what="the report",
    )


# --- the way it should work ------------------------------------------------------------


def test_starttls_with_the_configured_ca_logs_in_and_delivers(certs: Certs) -> None:
    with tls_smtp_server(certs, password=PASSWORD) as box:
        send(smtp(box.port, username="reports", cafile=str(certs.cafile)))
    assert box.logins == [("reports", PASSWORD)]
    assert len(box.messages) == 1


def test_implicit_tls_logs_in_and_delivers(certs: Certs) -> None:
    with tls_smtp_server(certs, mode="tls", password=PASSWORD) as box:
        send(smtp(box.port, security="tls", username="reports", cafile=str(certs.cafile)))
    assert box.logins == [("reports", PASSWORD)]
    assert len(box.messages) == 1


def test_a_local_relay_without_login_needs_no_tls() -> None:
    with tls_smtp_server(None, mode="plain") as box:
        send(smtp(box.port, security="none"), password=None)
    assert len(box.messages) == 1


def test_the_default_is_starttls_on_the_submission_port() -> None:
    settings = load_settings(environ={})
    assert (settings.smtp.security, settings.smtp.port) == ("starttls", 0)


# --- attacks ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_an_untrusted_certificate_is_refused_before_any_password(
    tmp_path: Path, certs: Certs, mode: str
) -> None:
    rogue = make_ca(tmp_path, name="rogue")  # a man in the middle with his own CA
    security = "tls" if mode == "tls" else "starttls"
    with tls_smtp_server(rogue, mode=mode, password=PASSWORD) as box:
        with pytest.raises(ConnectorError) as err:
            send(smtp(box.port, security=security, username="reports", cafile=str(certs.cafile)))
    assert err.value.code == "email-tls-untrusted"
    assert box.auth_lines == []
    assert box.logins == []
    assert box.messages == []


def test_a_server_that_does_not_offer_starttls_never_sees_auth() -> None:
    """STARTTLS stripped: the server offers AUTH in clear, and would take the password."""
    with tls_smtp_server(None, mode="plain", password=PASSWORD) as box:
        with pytest.raises(ConnectorError) as err:
            send(smtp(box.port, username="reports"))
    assert err.value.code == "email-no-tls"
    assert box.auth_lines == []
    assert box.messages == []


def test_security_none_with_a_username_is_refused_in_one_line() -> None:
    with tls_smtp_server(None, mode="plain", password=PASSWORD) as box:
        with pytest.raises(ConfigError) as err:
            send(smtp(box.port, security="none", username="reports"))
    assert err.value.code == "smtp-insecure-login"
    assert "\n" not in err.value.message
    assert box.auth_lines == []


def test_an_unknown_security_is_refused() -> None:
    with pytest.raises(ConfigError) as err:
        send(smtp(2525, security="ssl"))
    assert err.value.code == "smtp-config"


def test_an_empty_password_is_never_used_to_log_in(certs: Certs) -> None:
    with tls_smtp_server(certs, password="") as box:
        with pytest.raises(ConfigError) as err:
            send(smtp(box.port, username="reports", cafile=str(certs.cafile)), password="")
    assert err.value.code == "smtp-password-missing"
    assert box.auth_lines == []


def test_an_empty_stored_password_is_missing(keys: MemoryKeyring) -> None:
    keys.set_password("accessguard", "smtp", "")
    with pytest.raises(ConfigError) as err:
        smtp_password(app_with("reports"), environ={"ACCESSGUARD_SMTP_PASSWORD": ""})
    assert err.value.code == "smtp-password-missing"


def test_the_password_never_appears_in_errors_or_logs(
    certs: Certs, caplog: pytest.LogCaptureFixture
) -> None:
    """A hostile server repeats the password it was sent in its refusal."""
    caplog.set_level(logging.DEBUG, logger="accessguard")
    with tls_smtp_server(certs, password="another", echo_password=True) as box:
        with pytest.raises(ConnectorError) as err:
            send(smtp(box.port, username="reports", cafile=str(certs.cafile)))
    assert ("reports", PASSWORD) in box.logins  # it was sent, inside TLS, and echoed back
    shown = "".join(traceback.format_exception(err.value)) + (err.value.hint or "")
    assert PASSWORD not in shown
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("accessguard")]
    assert PASSWORD not in "\n".join(ours)  # (the test server's own log, mail.log, is not ours)


def test_the_password_never_appears_in_cli_output(certs: Certs, sqlite_url: str) -> None:
    with tls_smtp_server(certs, password="another", echo_password=True) as box:
        env = {
            "ACCESSGUARD_SMTP_HOST": "127.0.0.1",
            "ACCESSGUARD_SMTP_PORT": str(box.port),
            "ACCESSGUARD_SMTP_USERNAME": "reports",
            "ACCESSGUARD_SMTP_CAFILE": str(certs.cafile),
            "ACCESSGUARD_SMTP_PASSWORD": PASSWORD,
        }
        args = ["--db", sqlite_url, "report", "access", "--email", TO[0]]
        result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    assert result.exit_code == 1
    assert ("reports", PASSWORD) in box.logins
    assert PASSWORD not in result.output


# --- one password, one name -------------------------------------------------------------


def test_reports_and_playbooks_read_one_keyring_name(
    certs: Certs, sqlite_url: str, keys: MemoryKeyring
) -> None:
    keys.set_password("accessguard", "smtp", PASSWORD)
    with tls_smtp_server(certs, password=PASSWORD) as box:
        env = {
            "ACCESSGUARD_SMTP_HOST": "127.0.0.1",
            "ACCESSGUARD_SMTP_PORT": str(box.port),
            "ACCESSGUARD_SMTP_USERNAME": "reports",
            "ACCESSGUARD_SMTP_CAFILE": str(certs.cafile),
        }
        args = ["--db", sqlite_url, "report", "access", "--email", TO[0]]
        result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
        app = App(settings=load_settings(environ=env))
        sent = notify_email(app, TO, "Offboarded", "Ann left")
    assert result.exit_code == 0
    assert sent.outcome is Outcome.CHANGED
    # the report logs in twice (its delivery check, then the message), the playbook once
    assert set(box.logins) == {("reports", PASSWORD)}
    assert len(box.messages) == 2


def test_the_old_per_user_keyring_name_is_not_read(keys: MemoryKeyring) -> None:
    keys.set_password("accessguard", "smtp:reports", PASSWORD)
    with pytest.raises(ConfigError):
        smtp_password(app_with("reports"), environ={})


def test_the_environment_variable_comes_first(keys: MemoryKeyring) -> None:
    keys.set_password("accessguard", "smtp", "from-the-keyring")
    found = smtp_password(app_with("reports"), environ={"ACCESSGUARD_SMTP_PASSWORD": PASSWORD})
    assert found == Secret(PASSWORD)


def test_vault_holds_the_password_before_the_keyring(
    openbao: OpenBao, keys: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accessguard.connectors.tokens import vault_path

    prefix = f"t{uuid.uuid4().hex[:8]}"
    written = requests.post(
        f"{openbao.addr}/v1/secret/data/{vault_path(prefix, 'notifiers', 'smtp')}",
        headers={"X-Vault-Token": openbao.token},
        json={"data": {"password": PASSWORD}},
        timeout=5,
    )
    assert written.status_code == 200, written.text
    keys.set_password("accessguard", "smtp", "from-the-keyring")
    monkeypatch.setenv("VAULT_ADDR", openbao.addr)
    monkeypatch.setenv("VAULT_TOKEN", openbao.token)
    app = app_with("reports", **{"vault.prefix": prefix})
    assert smtp_password(app, environ={}) == Secret(PASSWORD)
