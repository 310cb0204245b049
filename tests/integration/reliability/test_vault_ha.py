"""Vault HA: a 3-node OpenBao raft cluster, several addresses, the leader killed mid-offboarding.

The tool is given every node's address (``VAULT_ADDR`` as a comma-separated list). It
must route to the active node, read its own writes even through a standby, and when
the leader is SIGKILLed while 30 credentials are being rotated, ride out the election
and finish the same run without a resume, with every credential rotated exactly once.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from accessguard.app import App
from accessguard.clock import FixedClock
from accessguard.config import VaultSettings, load_settings
from accessguard.secret import Secret
from accessguard.vault.connection import Connection
from accessguard.vault.facade import Vault
from accessguard.vault.paths import VaultPaths
from support.offboarding import cli_process, invoke_json
from support.openbao_cluster import Cluster, openbao_cluster
from support.vault import admin_vault, vault_app
from support.vault_faults import (
    LEAVER,
    STEP,
    assert_rotated_once,
    seed_leaver,
    write_playbook,
)

COUNT = 30
KILL_AFTER = 8


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """Three OpenBao nodes with integrated storage on loopback, initialised and unsealed."""
    with openbao_cluster(3) as running:
        yield running


def facade(cluster: Cluster, addresses: list[str]) -> Vault:
    """A facade with the root token on ``addresses`` (KV v2 at ``secret/``)."""
    connection = Connection(tuple(addresses), Secret(cluster.token), None, 5, retry_seconds=20)
    return Vault(connection, VaultPaths.from_settings(VaultSettings(prefix="ha")))


@pytest.mark.slow
def test_routes_to_the_active_node_and_reads_its_writes_through_a_standby(
    cluster: Cluster,
) -> None:
    leader = cluster.leader()
    standbys = [n.addr for n in cluster.nodes if n is not leader]
    vault = facade(cluster, [*standbys, leader.addr])
    assert vault.sys.health()["standby"] is False
    assert vault.addr == leader.addr, "a standby was listed first, the leader should be used"

    # Only a standby configured (as behind a load balancer): the X-Vault-Index the writes
    # return rides on every later request, so the standby never answers from stale data,
    # not even right after mounting the engine (a standby that has not caught up with the
    # new mount answers 404 to a request without the index).
    through_standby = facade(cluster, standbys[:1])
    through_standby.sys.enable_secrets_engine("kv", "ha-kv", options={"version": "2"})
    through_standby.paths = VaultPaths.from_settings(VaultSettings(prefix="ha", kv_mount="ha-kv"))
    path = "ha/read-your-writes"
    for n in range(40):
        version = through_standby.kv.write(path, {"n": str(n)}, cas=n)
        assert version == n + 1
        through_standby.kv.set_custom_metadata(path, {"n": str(n)})
        assert through_standby.kv.read(path).values["n"].reveal() == str(n)
        meta = through_standby.kv.metadata(path)
        assert meta is not None and meta.custom_metadata["n"] == str(n)
    assert through_standby.addr == standbys[0] and through_standby.transport.index


def rotations(database: Path) -> int:
    """Rotations recorded so far, read without taking SQLite's write lock from the run."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)) as db:
        row = db.execute(
            "SELECT count(*) FROM audit_events WHERE action = 'credential.rotate'"
        ).fetchone()
    return int(row[0])


@pytest.mark.slow
def test_leader_killed_mid_offboarding_run_completes_once(
    cluster: Cluster, sqlite_url: str, clock: FixedClock, monkeypatch, tmp_path
) -> None:
    app = App(settings=load_settings(overrides={"database.url": sqlite_url}), clock=clock)
    vault_app(app, cluster, monkeypatch)
    seed_leaver(app, cluster, COUNT)
    monkeypatch.setenv("VAULT_ADDR", ",".join(cluster.addresses))
    leader = cluster.leader()
    database = Path(sqlite_url.removeprefix("sqlite:///"))

    killed_at: list[int] = []

    def kill_leader_partway() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                done = rotations(database)
            except sqlite3.OperationalError:  # busy for longer than the timeout
                done = 0
            if done >= KILL_AFTER:
                leader.kill()
                killed_at.append(done)
                return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_leader_partway)
    killer.start()
    started = time.monotonic()
    proc = cli_process(
        app,
        "offboard",
        LEAVER,
        "--playbook",
        str(write_playbook(tmp_path)),
        "--yes",
        "--concurrency",
        "4",
        # Every rotation waits 50 ms before acting, so the kill surely lands mid-step.
        delay=f"{STEP}:0.05",
    )
    _, err = proc.communicate(timeout=110)
    killer.join(timeout=5)
    elapsed = time.monotonic() - started

    assert killed_at and killed_at[0] < COUNT, (killed_at, err.decode()[-1500:])
    assert not leader.alive
    new_leader = cluster.leader()
    assert new_leader is not leader
    # Completed in the same run, no resume: every rotation waits for its manual platform step.
    assert proc.returncode == 5, err.decode()[-2000:]
    code, runs = invoke_json(app, "runs", "list")
    assert code == 0 and len(runs) == 1 and runs[0]["status"] == "waiting"
    assert_rotated_once(app, admin_vault(app, cluster), runs[0]["id"], COUNT)
    assert elapsed < 100
