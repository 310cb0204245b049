"""Attacks on where platform tokens go, each run for real against loopback servers.

The admin allows the platform fakes in the test's config file; the attacker's server
is never allowed. Each test asserts the attacker received nothing at all.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from accessguard.app import App
from accessguard.config import load_settings
from accessguard.connectors.base import Target
from accessguard.connectors.egress import EgressRefusedError
from accessguard.connectors.registry import build_connector, build_notifier
from accessguard.connectors.tiktok import TikTokConnector
from accessguard.errors import ConfigError, PermanentConnectorError
from accessguard.reconcile.records import ConnectedAccount
from accessguard.results import Outcome
from accessguard.secret import Secret
from support.fake_http import FakeServer
from support.fake_meta import MetaFake
from support.fake_tiktok import TikTokBusinessFake
from support.fake_tls import TlsRedirector, trust


@pytest.fixture
def attacker() -> Iterator[FakeServer]:
    """A loopback server nobody allowed: it records whatever reaches it."""
    with FakeServer(trusted=False) as server:
        yield server


def account(name: str, platform: str, **settings: object) -> ConnectedAccount:
    return ConnectedAccount(0, name, platform, name, None, dict(settings))


def tiktok_on(base_url: str, token: str, http: object) -> TikTokConnector:
    return TikTokConnector(
        settings={"base_url": base_url, "bc_id": "7000123"},
        secrets={"token": Secret(token)},
        http=http,
    )


def test_an_account_base_url_cannot_send_the_token_to_a_foreign_host(attacker) -> None:
    with MetaFake() as meta:  # the admin allowed the real platform (the fake), not the attacker
        app = App(settings=load_settings())
        hostile = {**meta.settings(), "base_url": attacker.url}  # set by CSV or a database writer
        connector = build_connector(
            app, account("brand-fb", "facebook", **hostile), secrets={"token": Secret(meta.token)}
        )
        assert connector is not None
        with pytest.raises(EgressRefusedError) as info:
            connector.check()
    assert attacker.hits == []
    assert f"127.0.0.1:{attacker.port}" in info.value.message
    assert "[connectors] allowed_hosts" in info.value.message
    assert meta.token not in f"{info.value.message} {info.value.hint}"


def test_a_foreign_paging_next_is_not_followed(attacker) -> None:
    with MetaFake() as meta:
        for n in range(150):  # two pages: the second link points at the attacker
            meta.add_user(f"user{n}@example.com")
        meta.next_base = attacker.url
        connector = build_connector(
            App(settings=load_settings()),
            account("brand-fb", "facebook", **meta.settings()),
            secrets={"token": Secret(meta.token)},
        )
        assert connector is not None
        with pytest.raises(EgressRefusedError, match="a token stays on its origin") as info:
            connector.list_holders()
    assert attacker.hits == []
    assert "after=" not in info.value.message  # hosts only, never the link's query


def test_a_next_link_cannot_move_the_token_even_to_another_allowed_host() -> None:
    with MetaFake() as meta, FakeServer() as other:  # both allowed by the admin
        for n in range(150):
            meta.add_user(f"user{n}@example.com")
        meta.next_base = other.url
        connector = build_connector(
            App(settings=load_settings()),
            account("brand-fb", "facebook", **meta.settings()),
            secrets={"token": Secret(meta.token)},
        )
        assert connector is not None
        with pytest.raises(EgressRefusedError, match="a token stays on its origin"):
            connector.list_holders()
    assert other.hits == []


def test_a_cross_origin_redirect_is_not_followed(attacker, http) -> None:
    with TikTokBusinessFake() as tiktok:
        tiktok.fail_next(302, headers={"Location": f"{attacker.url}/steal"})
        connector = tiktok_on(tiktok.url, tiktok.token, http)  # Access-Token: a custom header
        with pytest.raises(EgressRefusedError, match="a token stays on its origin"):
            connector.list_holders()
    assert attacker.hits == []


def test_a_redirect_cannot_move_the_token_even_to_another_allowed_host(http) -> None:
    with TikTokBusinessFake() as tiktok, FakeServer() as other:
        tiktok.fail_next(307, headers={"Location": f"{other.url}/open_api/v1.3/bc/member/get/"})
        with pytest.raises(EgressRefusedError, match="a token stays on its origin"):
            tiktok_on(tiktok.url, tiktok.token, http).list_holders()
    assert other.hits == []


def test_a_same_origin_redirect_is_followed(http) -> None:
    with TikTokBusinessFake() as tiktok:
        tiktok.add_member("ann@example.com")
        path = "/open_api/v1.3/bc/member/get/"
        tiktok.fail_next(307, headers={"Location": f"{tiktok.url}{path}?bc_id=7000123"})
        assert [h.email for h in tiktok_on(tiktok.url, tiktok.token, http).list_holders()] == [
            "ann@example.com"
        ]


def test_a_redirect_loop_on_the_same_origin_ends(http) -> None:
    with TikTokBusinessFake() as tiktok:
        path = "/open_api/v1.3/bc/member/get/"
        tiktok.fail_next(307, times=6, headers={"Location": f"{tiktok.url}{path}?bc_id=7000123"})
        with pytest.raises(PermanentConnectorError, match="more than 5 redirects"):
            tiktok_on(tiktok.url, tiktok.token, http).list_holders()


def test_an_https_to_http_downgrade_is_refused(monkeypatch, http) -> None:
    trust(monkeypatch)
    # Even a loopback http server the admin allowed is refused as a redirect target.
    with FakeServer() as plain, TlsRedirector(plain.url) as secure:
        connector = tiktok_on(secure.url, "tiktok-token-sent-over-tls", http)
        with pytest.raises(EgressRefusedError, match=r"from https://127\.0\.0\.1:\d+ to http://"):
            connector.revoke(Target(email="ann@example.com"))
        assert len(secure.hits) == 1  # the TLS request went out; the redirect did not
    assert plain.hits == []


def test_an_account_named_like_a_notifier_cannot_read_its_secret(
    openbao, vault_env, attacker
) -> None:
    written = requests.post(
        f"{openbao.addr}/v1/secret/data/{vault_env}/connectors/notifiers/jira",
        headers={"X-Vault-Token": openbao.token},
        json={"data": {"token": "jira-notifier-token"}},
        timeout=5,
    )
    assert written.status_code == 200, written.text
    app = App(settings=load_settings())
    jira = {"base_url": "https://example.atlassian.net", "project_key": "IT", "email": "a@x"}
    notifier = build_notifier(app, "jira", name="jira", settings=jira)
    assert notifier.secrets["token"].reveal() == "jira-notifier-token"

    lookalike = build_connector(app, account("jira", "hootsuite", base_url=attacker.url))
    assert lookalike is not None
    assert lookalike.secrets == {}
    with pytest.raises(ConfigError) as info:  # no token: nothing to send, and says where it goes
        lookalike.check()
    assert f"secret/{vault_env}/connectors/accounts/jira," in (info.value.hint or "")
    assert attacker.hits == []


def test_the_allowed_loopback_server_still_works(http) -> None:
    with TikTokBusinessFake() as tiktok:
        tiktok.add_member("ann@example.com")
        result = tiktok_on(tiktok.url, tiktok.token, http).revoke(Target(email="ann@example.com"))
    assert result.outcome is Outcome.CHANGED


def _client_from(tmp_path, text: str) -> object:
    """The HttpClient a process gets from a config file holding ``text``."""
    from accessguard.connectors.registry import http_client

    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return http_client(App(settings=load_settings(path)))


def test_a_host_allowed_for_one_connector_is_refused_for_another(tmp_path) -> None:
    with TikTokBusinessFake() as server:  # think: the company's SCIM app, trusted with SCIM only
        server.add_member("ann@example.com")
        host = server.url.removeprefix("http://")
        http = _client_from(tmp_path, f'[connectors.scim]\nallowed_hosts = ["{host}"]\n')
        with pytest.raises(EgressRefusedError) as info:
            tiktok_on(server.url, server.token, http).list_holders()
        assert server.hits == []  # the TikTok token never reached the SCIM host
        assert "[connectors.tiktok] allowed_hosts" in info.value.message

        http = _client_from(tmp_path, f'[connectors.tiktok]\nallowed_hosts = ["{host}"]\n')
        holders = tiktok_on(server.url, server.token, http).list_holders()
    assert [h.email for h in holders] == ["ann@example.com"]


def test_the_global_list_still_applies_to_every_connector(tmp_path) -> None:
    with TikTokBusinessFake() as server:
        host = server.url.removeprefix("http://")
        http = _client_from(tmp_path, f'[connectors]\nallowed_hosts = ["{host}"]\n')
        assert tiktok_on(server.url, server.token, http).list_holders() == []


def test_per_connector_hosts_come_from_the_config_file_only(tmp_path) -> None:
    with pytest.raises(ConfigError, match="only the config file can"):
        load_settings(tmp_path / "none.toml", environ={"ACCESSGUARD_CONNECTORS_BY_CONNECTOR": "x"})
    with pytest.raises(ConfigError, match="only the config file can"):
        load_settings(
            tmp_path / "none.toml", overrides={"connectors.tiktok.allowed_hosts": ["evil:1"]}
        )
    path = tmp_path / "config.toml"
    path.write_text('[connectors.scim]\nallowed_hosts = ["a"]\ntoken = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[connectors.scim\]: unknown setting"):
        load_settings(path)


def test_connectors_check_applies_the_per_connector_hosts(tmp_path) -> None:
    from accessguard.connectors.readiness import missing

    path = tmp_path / "config.toml"
    scim = ConnectedAccount(
        0, "suite", "hootsuite", "suite", "scim", {"base_url": "https://scim.example.com/v2"}
    )

    def problems(table: str) -> list[str]:
        path.write_text(f'[connectors.{table}]\nallowed_hosts = ["scim.example.com"]\n')
        app = App(settings=load_settings(path))
        return [p for p in missing(app, scim) if "scim.example.com" in p]

    assert problems("scim") == []
    assert problems("okta") != []  # allowed for Okta only: not for the SCIM token
