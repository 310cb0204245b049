"""The Vault transport against real OpenBao: failover, retries, restarts, errors, redirects.

Every request of the tool goes through ``vault/transport.py``; these tests drive it
through the facade and check what Vault holds and what the operator is told. Faults
come from a real proxy (``support.vault_proxy``), a restartable raft node
(``support.openbao_cluster``) and loopback servers that redirect (``support.redirects``).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from accessguard.config import VaultSettings
from accessguard.errors import (
    CasConflictError,
    VaultError,
    VaultNotFoundError,
    VaultSealedError,
    VaultUnavailableError,
)
from accessguard.secret import Secret
from accessguard.vault.connection import Connection
from accessguard.vault.facade import Vault
from accessguard.vault.paths import VaultPaths
from support.openbao_cluster import Cluster, openbao_cluster
from support.redirects import Loopback, ok, redirect_to
from support.servers import OpenBao, free_port
from support.vault_proxy import VaultProxy

PATHS = VaultPaths.from_settings(VaultSettings(prefix="transport"))
CANARY_TOKEN = "hvs.redirect-canary-token-7f3a"


def facade(*addresses: str, token: str, retry: float = 0.0) -> Vault:
    """A facade on ``addresses`` with ``token`` and a retry window of ``retry`` seconds."""
    connection = Connection(tuple(addresses), Secret(token), None, 5, retry_seconds=retry)
    return Vault(connection, PATHS)


def fresh_path() -> str:
    return f"transport/{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def node() -> Iterator[Cluster]:
    """One raft OpenBao node (on disk: it can be killed and restarted), KV v2 at secret/."""
    with openbao_cluster(1) as cluster:
        admin = facade(cluster.nodes[0].addr, token=cluster.token, retry=30)
        admin.sys.enable_secrets_engine("kv", "secret", options={"version": "2"})
        yield cluster


# --- failover and retries --------------------------------------------------------------------


def test_a_dead_first_address_fails_over_and_the_live_one_is_kept(openbao: OpenBao) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    vault = facade(dead, openbao.addr, token=openbao.token)
    path = fresh_path()
    assert vault.kv.write(path, {"n": "1"}, cas=0) == 1
    assert vault.addr == openbao.addr
    assert vault.kv.read(path).values["n"].reveal() == "1"


def test_every_address_dead_is_one_clear_error(openbao: OpenBao) -> None:
    dead = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
    vault = facade(*dead, token=openbao.token, retry=0.5)
    with pytest.raises(VaultUnavailableError) as caught:
        vault.kv.read(fresh_path())
    assert "no Vault address answered" in caught.value.message
    assert all(address in caught.value.message for address in dead)


def test_a_5xx_window_shorter_than_the_retry_window_is_ridden_out(openbao: OpenBao) -> None:
    path = fresh_path()
    with VaultProxy(openbao.addr) as proxy:
        vault = facade(proxy.url, token=openbao.token, retry=20)
        vault.kv.write(path, {"n": "1"}, cas=0)
        proxy.fail_with(503)
        threading.Timer(0.8, proxy.heal).start()
        assert vault.kv.write(path, {"n": "2"}, cas=1) == 2
        assert proxy.failed_answers > 0
    assert facade(openbao.addr, token=openbao.token).kv.read(path).values["n"].reveal() == "2"


def test_a_5xx_window_longer_than_the_retry_window_names_vaults_answer(openbao: OpenBao) -> None:
    with VaultProxy(openbao.addr) as proxy:
        vault = facade(proxy.url, token=openbao.token, retry=0.6)
        proxy.fail_with(502)
        started = time.monotonic()
        with pytest.raises(VaultUnavailableError) as caught:
            vault.kv.read(fresh_path())
        assert time.monotonic() - started < 5
        assert proxy.failed_answers >= 2  # tried again before giving up
    assert "injected upstream failure" in caught.value.message
    assert caught.value.code == "vault-unavailable"


def test_a_restart_that_comes_back_sealed_is_ridden_out(node: Cluster) -> None:
    """Vault stops, starts again sealed, and is unsealed a few seconds later (an operator's
    restart): a request made meanwhile waits for it instead of failing on the seal."""
    server = node.nodes[0]
    vault = facade(server.addr, token=node.token, retry=60)
    path = fresh_path()
    vault.kv.write(path, {"n": "1"}, cas=0)
    server.kill()

    def restart() -> None:
        server.start()  # answers again, sealed
        time.sleep(3)
        node.unseal(server)

    restarter = threading.Thread(target=restart)
    restarter.start()
    try:
        assert vault.kv.write(path, {"n": "2"}, cas=1) == 2
    finally:
        restarter.join()
    assert vault.kv.read(path).values["n"].reveal() == "2"


def test_a_vault_sealed_before_the_request_fails_at_once(node: Cluster) -> None:
    server = node.nodes[0]
    vault = facade(server.addr, token=node.token, retry=60)
    node.leader()  # the previous test's restart has settled
    vault.write("sys/seal", {}, what="seal")
    try:
        started = time.monotonic()
        with pytest.raises(VaultSealedError) as caught:
            vault.kv.read(fresh_path())
        assert time.monotonic() - started < 5
        assert "unseal" in (caught.value.hint or "")
    finally:
        node.unseal(server)
        node.leader()


# --- Vault's answers, translated once ---------------------------------------------------------


def test_absent_secrets_are_not_found_or_none(openbao: OpenBao) -> None:
    vault = facade(openbao.addr, token=openbao.token)
    path = fresh_path()
    assert vault.kv.metadata(path) is None
    assert vault.read(f"secret/data/{path}", what="read it") is None
    with pytest.raises(VaultNotFoundError):
        vault.kv.read(path)


def test_a_lost_check_and_set_race_is_a_conflict_and_keeps_the_winner(openbao: OpenBao) -> None:
    vault = facade(openbao.addr, token=openbao.token)
    path = fresh_path()
    vault.kv.write(path, {"who": "first"}, cas=0)
    with pytest.raises(CasConflictError) as caught:
        vault.kv.write(path, {"who": "second"}, cas=0)
    assert caught.value.code == "cas-conflict"
    assert vault.kv.read(path).values["who"].reveal() == "first"


def test_a_request_vault_rejects_is_a_vault_request_error(openbao: OpenBao) -> None:
    vault = facade(openbao.addr, token=openbao.token, retry=10)
    started = time.monotonic()
    with pytest.raises(VaultError) as caught:
        vault.sys.enable_secrets_engine("no-such-engine", f"m{uuid.uuid4().hex[:8]}", options={})
    assert time.monotonic() - started < 5  # an answer, not an outage: not retried
    assert caught.value.code == "vault-request"
    assert "no-such-engine" in caught.value.message


# --- redirects: the token goes to configured addresses only ----------------------------------


def test_the_token_never_follows_a_redirect_to_an_unconfigured_server() -> None:
    with Loopback(ok) as foreign, Loopback(redirect_to(foreign.url)) as vault_node:
        vault = facade(vault_node.url, token=CANARY_TOKEN, retry=5)
        with pytest.raises(VaultError) as caught:
            vault.kv.read("transport/redirected")
        received = list(vault_node.received)
    assert foreign.received == []
    assert received and received[-1].headers["x-vault-token"] == CANARY_TOKEN
    assert caught.value.code == "vault-redirect"
    assert foreign.url in caught.value.message
    assert CANARY_TOKEN not in caught.value.message + (caught.value.hint or "")


def test_a_redirect_to_another_configured_address_is_followed(openbao: OpenBao) -> None:
    path = fresh_path()
    facade(openbao.addr, token=openbao.token).kv.write(path, {"n": "1"}, cas=0)
    with Loopback(redirect_to(openbao.addr)) as standby:
        vault = facade(standby.url, openbao.addr, token=openbao.token)
        assert vault.kv.read(path).values["n"].reveal() == "1"
        assert any(r.path.endswith(path) for r in standby.received)
