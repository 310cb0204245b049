"""Vault sealed, stopped, answering 5xx or dropping an answer in the middle of an offboarding.

A dedicated single-node OpenBao with raft storage (on disk, so it can be killed and
started again; never the session's shared dev server) sits behind a fault-injecting
proxy. The fault fires at an exact request: the Nth KV write or metadata update of the
rotation step. The run must stop at a clear, resumable state (run failed, the failing
item failed with the Vault error, untouched items still pending, one line telling the
operator what to do, exit code 1, no traceback), and ``runs resume`` after Vault is
back must finish it with every credential rotated exactly once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from accessguard.app import App
from accessguard.clock import FixedClock
from accessguard.config import load_settings
from support.offboarding import invoke
from support.openbao_cluster import Cluster, openbao_cluster
from support.vault import admin_vault, vault_app
from support.vault_faults import LEAVER, STEP, assert_rotated_once, seed_leaver, write_playbook
from support.vault_proxy import Trigger, VaultProxy

COUNT = 12
DATA_WRITE = Trigger("PATCH", "/v1/secret/data/", nth=5)
METADATA_WRITE = Trigger("PATCH", "/v1/secret/metadata/", nth=5)


@pytest.fixture(scope="module")
def bao() -> Iterator[Cluster]:
    """One OpenBao node with raft storage for this module (restartable without data loss)."""
    with openbao_cluster(1) as cluster:
        yield cluster


@pytest.fixture
def world(
    bao: Cluster, sqlite_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[App, VaultProxy]]:
    """The leaver and COUNT exposed credentials; the tool reaches Vault through a proxy."""
    if not bao.nodes[0].alive:
        bao.nodes[0].start()
    if (bao.nodes[0].health() or {}).get("sealed"):
        bao.unseal(bao.nodes[0])
    app = App(settings=load_settings(overrides={"database.url": sqlite_url}), clock=clock)
    vault_app(app, bao, monkeypatch)
    seed_leaver(app, bao, COUNT)
    with VaultProxy(bao.nodes[0].addr) as proxy:
        monkeypatch.setenv("VAULT_ADDR", proxy.url)
        monkeypatch.setenv("ACCESSGUARD_VAULT_RETRY_SECONDS", "1")
        yield app, proxy
    app.engine.dispose()


def offboard(app: App, playbook: Path) -> Any:
    return invoke(
        app, "offboard", LEAVER, "--playbook", str(playbook), "--yes", "--concurrency", "3"
    )


def run_state(app: App) -> dict[str, Any]:
    result = invoke(app, "runs", "list", "--json")
    run_id = json.loads(result.stdout)[0]["id"]
    shown = invoke(app, "runs", "show", run_id, "--json")
    return dict(json.loads(shown.stdout))


def seal(bao: Cluster) -> Callable[[], None]:
    def action() -> None:
        response = requests.put(
            f"{bao.nodes[0].addr}/v1/sys/seal", headers={"X-Vault-Token": bao.token}, timeout=10
        )
        assert response.status_code == 204, response.text

    return action


FAULTS = {
    # name: (trigger, what the proxy does then, what the operator is told, how Vault comes back)
    "sealed": (METADATA_WRITE, "seal", "Vault is sealed: unseal it"),
    "stopped": (DATA_WRITE, "kill", "Vault is unreachable or failing"),
    "5xx": (METADATA_WRITE, "fail", "Vault is unreachable or failing"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_vault_fault_mid_run_stops_cleanly_and_resume_finishes(
    fault: str,
    world: tuple[App, VaultProxy],
    bao: Cluster,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, proxy = world
    trigger, how, told = FAULTS[fault]
    node = bao.nodes[0]
    actions: dict[str, Callable[[], None]] = {
        "seal": seal(bao),
        "kill": node.kill,
        "fail": lambda: proxy.fail_with(503),
    }
    proxy.on(trigger, actions[how])
    playbook = write_playbook(tmp_path)

    result = offboard(app, playbook)

    assert result.exit_code == 1, (result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and told in errors[0], result.stderr
    run = run_state(app)
    assert errors[0] == f"error: {run['stopped_by']}"
    assert f"accessguard runs resume {run['id']}" in errors[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert run["status"] == "failed"
    items = next(s for s in run["steps"] if s["id"] == STEP)["items"]
    statuses = [i["status"] for i in items]
    # Items finished before the fault keep their result (how many depends on which
    # requests were in flight on the 3 threads; at least the one whose worker sent the
    # faulty request had finished an item before).
    assert statuses.count("waiting") >= 1 and "failed" in statuses, statuses
    failed = [i for i in items if i["status"] == "failed"]
    assert {i["details"]["code"] for i in failed} <= {"vault-sealed", "vault-unavailable"}
    assert "pending" in statuses, "the run went on hammering a broken Vault"
    departed = next(s for s in run["steps"] if s["id"] == "mark-departed")["items"]
    assert [i["status"] for i in departed] == ["pending"]

    # Vault comes back; the operator resumes.
    proxy.heal()
    if not node.alive:
        node.start()
    if (node.health() or {}).get("sealed"):
        bao.unseal(node)
    # The operator resumes with the tool's own retry window, not the 1 s that made the
    # run above stop quickly: a node reports "unsealed" before it has won its election
    # (500 "local node not active" meanwhile), which a busy host can stretch past 1 s.
    monkeypatch.delenv("ACCESSGUARD_VAULT_RETRY_SECONDS")
    resumed = invoke(app, "runs", "resume", run["id"])
    assert resumed.exit_code == 5, (resumed.stdout, resumed.stderr)
    assert_rotated_once(app, admin_vault(app, bao), run["id"], COUNT)


def test_a_short_outage_is_ridden_out_without_resume(
    world: tuple[App, VaultProxy], bao: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Vault killed and back (unsealed) within the retry window: the run never notices."""
    app, proxy = world
    node = bao.nodes[0]
    monkeypatch.setenv("ACCESSGUARD_VAULT_RETRY_SECONDS", "30")

    def restart_soon() -> None:
        node.start()
        bao.unseal(node)

    def bounce() -> None:
        node.kill()
        threading.Timer(0.5, restart_soon).start()

    proxy.on(DATA_WRITE, bounce)
    result = offboard(app, write_playbook(tmp_path))
    assert result.exit_code == 5, (result.stdout, result.stderr)
    run = run_state(app)
    assert run["status"] == "waiting"
    assert_rotated_once(app, admin_vault(app, bao), run["id"], COUNT)


def test_a_lost_answer_to_a_write_is_not_a_second_version(
    world: tuple[App, VaultProxy], bao: Cluster, tmp_path: Path
) -> None:
    """The KV write lands but the connection drops before the answer: the retry adopts it."""
    app, proxy = world
    proxy.drop_answer(DATA_WRITE)
    result = offboard(app, write_playbook(tmp_path))
    assert result.exit_code == 5, (result.stdout, result.stderr)
    run = run_state(app)
    assert run["status"] == "waiting"
    assert_rotated_once(app, admin_vault(app, bao), run["id"], COUNT)


def test_a_5xx_window_shorter_than_the_retries_is_ridden_out(
    world: tuple[App, VaultProxy], bao: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, proxy = world
    monkeypatch.setenv("ACCESSGUARD_VAULT_RETRY_SECONDS", "30")

    def storm() -> None:
        proxy.fail_with(500)
        threading.Timer(1.0, proxy.heal).start()

    proxy.on(METADATA_WRITE, storm)
    result = offboard(app, write_playbook(tmp_path))
    assert result.exit_code == 5, (result.stdout, result.stderr)
    assert proxy.failed_answers > 0
    assert_rotated_once(app, admin_vault(app, bao), run_state(app)["id"], COUNT)
