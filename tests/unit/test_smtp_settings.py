"""[smtp] settings: the TLS mode, its port, and a clear word for the replaced ``starttls`` key."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessguard.config import SmtpSettings, load_settings
from accessguard.connectors.email import check_settings, port
from accessguard.errors import ConfigError


def test_the_old_starttls_key_says_what_replaced_it(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[smtp]\nstarttls = true\n")
    with pytest.raises(ConfigError) as err:
        load_settings(config, environ={})
    assert 'security = "starttls"' in err.value.message


def test_a_password_in_the_config_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[smtp]\npassword = "hunter2"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(config, environ={})
    assert err.value.code == "secret-in-config"


def test_security_and_cafile_come_from_the_environment() -> None:
    env = {"ACCESSGUARD_SMTP_SECURITY": "tls", "ACCESSGUARD_SMTP_CAFILE": "/etc/ca.pem"}
    smtp = load_settings(Path("/nonexistent.toml"), environ=env).smtp
    assert (smtp.security, smtp.cafile) == ("tls", "/etc/ca.pem")


@pytest.mark.parametrize(("security", "expected"), [("starttls", 587), ("tls", 465), ("none", 25)])
def test_port_zero_is_the_usual_port_for_the_mode(security: str, expected: int) -> None:
    assert port(SmtpSettings(security=security)) == expected


def test_an_explicit_port_wins() -> None:
    assert port(SmtpSettings(security="tls", port=2465)) == 2465


def test_none_without_a_username_is_allowed() -> None:
    check_settings(SmtpSettings(security="none"))
