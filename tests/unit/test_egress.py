"""The egress rules and the ``[connectors] allowed_hosts`` setting, without sockets."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessguard.config import load_settings
from accessguard.connectors.egress import EgressPolicy, EgressRefusedError
from accessguard.errors import ConfigError

META = ("graph.facebook.com",)


def check(url: str, *allowed: str, origin: str | None = None) -> str:
    policy = EgressPolicy.from_setting(allowed)
    return str(policy.check(url, service="meta", official_hosts=META, origin=origin))


def test_official_host_over_https_passes() -> None:
    assert check("https://graph.facebook.com/v21.0/me") == "graph.facebook.com"


@pytest.mark.parametrize(
    "url",
    [
        "http://graph.facebook.com/v21.0/me",  # downgrade
        "https://graph.facebook.com:8443/v21.0/me",  # official host, another port
        "https://graph.facebook.com.evil.example/v21.0/me",
        "https://evil.example/v21.0/me",
        "https://graph.facebook.com@evil.example/",  # userinfo hides the real host
        "https://evil.example\\@graph.facebook.com/",
        "ftp://graph.facebook.com/",
        "https://graph.facebook.com:99999/",
        "/relative/only",
    ],
)
def test_anything_else_is_refused(url: str) -> None:
    with pytest.raises(EgressRefusedError):
        check(url)


def test_an_allowed_host_means_its_default_port_unless_a_port_is_given() -> None:
    assert check("https://scim.example.com/Users", "scim.example.com") == "scim.example.com"
    with pytest.raises(EgressRefusedError, match=r"scim\.example\.com:8443"):
        check("https://scim.example.com:8443/Users", "scim.example.com")
    assert check("https://scim.example.com:8443/x", "scim.example.com:8443") == (
        "scim.example.com:8443"
    )


def test_plain_http_only_to_an_allowed_loopback_host() -> None:
    assert check("http://127.0.0.1:8080/x", "127.0.0.1:8080") == "127.0.0.1:8080"
    assert check("http://[::1]:8080/x", "[::1]:8080") == "[::1]:8080"
    with pytest.raises(EgressRefusedError, match="plain http is refused"):
        check("http://scim.example.com/Users", "scim.example.com")
    with pytest.raises(EgressRefusedError, match="not in \\[connectors\\] allowed_hosts"):
        check("http://127.0.0.1:9090/x", "127.0.0.1:8080")


def test_a_link_keeps_the_origin_of_the_token() -> None:
    base = "https://graph.facebook.com"
    assert check(f"{base}/v21.0/next?after=1", origin=base) == "graph.facebook.com"
    with pytest.raises(EgressRefusedError, match="stays on its origin") as info:
        check("https://scim.example.com/x?access_token=s3cret", "scim.example.com", origin=base)
    assert "s3cret" not in info.value.message


@pytest.mark.parametrize("entry", ["https://scim.example.com", "a b", "host:70000", "", "u@h"])
def test_malformed_entries_are_config_errors(entry: str) -> None:
    with pytest.raises(ConfigError, match="allowed_hosts"):
        EgressPolicy.from_setting([entry])


def test_allowed_hosts_come_from_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[connectors]\nallowed_hosts = ["scim.example.com", "127.0.0.1:8443"]\n')
    settings = load_settings(path, environ={})
    assert settings.connectors.allowed_hosts == ["scim.example.com", "127.0.0.1:8443"]


def test_the_environment_cannot_widen_egress(tmp_path: Path) -> None:
    env = {"ACCESSGUARD_CONNECTORS_ALLOWED_HOSTS": "evil.example"}
    with pytest.raises(ConfigError, match="only the config file") as info:
        load_settings(tmp_path / "config.toml", environ=env)
    assert info.value.code == "config-file-only"


def test_overrides_cannot_widen_egress(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="only the config file"):
        load_settings(
            tmp_path / "config.toml",
            environ={},
            overrides={"connectors.allowed_hosts": ["evil.example"]},
        )


def test_a_connectors_own_hosts_admit_only_that_connector() -> None:
    policy = EgressPolicy.from_setting([], {"scim": ["scim.example.com"]})
    url = "https://scim.example.com/scim/v2/Users"
    assert str(policy.check(url, service="scim", connector="scim")) == "scim.example.com"
    for connector in ("okta", "meta", None):
        with pytest.raises(EgressRefusedError):
            policy.check(url, service="other", connector=connector)


def test_per_connector_tables_are_read_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[connectors]\nallowed_hosts = ["all.example.com"]\n'
        '[connectors.jira]\nallowed_hosts = ["example.atlassian.net"]\n',
        encoding="utf-8",
    )
    connectors = load_settings(path, environ={}).connectors
    assert connectors.allowed_hosts == ["all.example.com"]
    assert connectors.by_connector == {"jira": ["example.atlassian.net"]}


@pytest.mark.parametrize("name", ["Bad Name", "../x", ""])
def test_a_malformed_connector_table_name_is_a_config_error(name: str) -> None:
    with pytest.raises(ConfigError):
        EgressPolicy.from_setting([], {name: ["a.example.com"]})
