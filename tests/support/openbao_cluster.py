"""Real OpenBao servers with persistent storage for fault tests: a 3-node raft cluster, or one node.

``openbao_cluster(3)`` starts three ``bao server -config`` processes on loopback with
integrated (raft) storage, ``retry_join`` towards each other, distinct API and cluster
ports, ``disable_mlock`` and TLS off; it runs ``operator init`` on node 1 (one key
share), unseals every node with the captured key, shortens autopilot's stabilisation so
the joiners become voters quickly, and waits until there is one active node and every
other node is an unsealed voting standby. ``performance_multiplier = 1`` keeps leader
election after a failure to a few seconds.

``openbao_cluster(1)`` is a single raft node: unlike ``bao server -dev`` its data is on
disk, so a test can kill it (``node.kill()``) and start it again (``node.start()``,
then ``cluster.unseal(node)``) without losing anything.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from support.servers import BIN, free_port, stop, wait_until

_CONFIG = """\
disable_mlock = true
ui = false
api_addr = "{api}"
cluster_addr = "http://127.0.0.1:{cluster_port}"
listener "tcp" {{
  address = "127.0.0.1:{api_port}"
  cluster_address = "127.0.0.1:{cluster_port}"
  tls_disable = true
}}
storage "raft" {{
  path = "{data}"
  node_id = "{node_id}"
  performance_multiplier = 1
{joins}
}}
"""


@dataclass
class Node:
    """One ``bao server`` process of a cluster."""

    node_id: str
    api_port: int
    cluster_port: int
    directory: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None

    @property
    def addr(self) -> str:
        """The node's API address."""
        return f"http://127.0.0.1:{self.api_port}"

    def start(self) -> None:
        """Start (or restart) the server process; it comes up sealed."""
        log = (self.directory / "server.log").open("ab")
        self.proc = subprocess.Popen(
            [str(BIN / "bao"), "server", "-config", str(self.directory / "config.hcl")],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
            start_new_session=True,
        )
        log.close()
        wait_until(lambda: self.health() is not None, what=f"OpenBao {self.node_id}")

    def kill(self) -> None:
        """SIGKILL the process (no step-down, no clean shutdown) and wait for it."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    @property
    def alive(self) -> bool:
        """True while the process runs."""
        return self.proc is not None and self.proc.poll() is None

    def health(self) -> dict[str, Any] | None:
        """``sys/health`` as a dict (any status code), or None if nothing answers."""
        try:
            response = requests.get(
                f"{self.addr}/v1/sys/health", params={"standbyok": "true"}, timeout=2
            )
        except requests.RequestException:
            return None
        try:
            return dict(response.json())
        except ValueError:
            return None


@dataclass
class Cluster:
    """A running OpenBao raft cluster with its unseal key and root token."""

    nodes: list[Node]
    unseal_key: str = ""
    root_token: str = ""
    workdir: Path = field(default_factory=Path)

    @property
    def addresses(self) -> list[str]:
        """Every node's API address, node 1 first."""
        return [node.addr for node in self.nodes]

    @property
    def token(self) -> str:
        """The root token (same attribute name as ``support.servers.OpenBao``)."""
        return self.root_token

    @property
    def addr(self) -> str:
        """The active node's address (for helpers that take a single-server handle)."""
        return self.leader().addr

    def leader(self, *, timeout: float = 30.0) -> Node:
        """The active node, waiting for an election if there is none right now."""
        found: list[Node] = []

        def check() -> bool:
            for node in self.nodes:
                health = node.health() if node.alive else None
                if health and not health.get("sealed") and not health.get("standby"):
                    found.append(node)
                    return True
            return False

        wait_until(check, timeout=timeout, what="an active OpenBao node")
        return found[0]

    def unseal(self, node: Node) -> None:
        """Unseal ``node`` with the captured key and wait until it is unsealed."""
        wait_until(
            lambda: (node.health() or {}).get("initialized") is True,
            what=f"{node.node_id} to join the cluster",
        )
        requests.put(f"{node.addr}/v1/sys/unseal", json={"key": self.unseal_key}, timeout=5)
        wait_until(
            lambda: (node.health() or {}).get("sealed") is False,
            what=f"{node.node_id} to unseal",
        )

    def voters(self) -> list[str]:
        """Node ids of the raft voters, as the active node reports them."""
        response = requests.get(
            f"{self.leader().addr}/v1/sys/storage/raft/configuration",
            headers={"X-Vault-Token": self.root_token},
            timeout=5,
        )
        response.raise_for_status()
        servers = response.json()["data"]["config"]["servers"]
        return sorted(s["node_id"] for s in servers if s.get("voter"))


def _node(workdir: Path, index: int, ports: list[tuple[int, int]], env: dict[str, str]) -> Node:
    api_port, cluster_port = ports[index]
    directory = workdir / f"node{index + 1}"
    (directory / "data").mkdir(parents=True)
    joins = "\n".join(
        f'  retry_join {{\n    leader_api_addr = "http://127.0.0.1:{api}"\n  }}'
        for i, (api, _) in enumerate(ports)
        if i != index
    )
    (directory / "config.hcl").write_text(
        _CONFIG.format(
            api=f"http://127.0.0.1:{api_port}",
            api_port=api_port,
            cluster_port=cluster_port,
            data=directory / "data",
            node_id=f"node{index + 1}",
            joins=joins,
        )
    )
    return Node(f"node{index + 1}", api_port, cluster_port, directory, env)


@contextlib.contextmanager
def openbao_cluster(size: int = 3) -> Iterator[Cluster]:
    """Start, initialise and unseal a ``size``-node raft cluster on loopback; stop it after."""
    workdir = Path(tempfile.mkdtemp(prefix="ag-bao-raft-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("VAULT_") and not k.startswith("BAO_")
    }
    env["HOME"] = str(workdir)
    ports = [(free_port(), free_port()) for _ in range(size)]
    cluster = Cluster([_node(workdir, i, ports, env) for i in range(size)], workdir=workdir)
    try:
        for node in cluster.nodes:
            node.start()
        first = cluster.nodes[0]
        init = requests.put(
            f"{first.addr}/v1/sys/init",
            json={"secret_shares": 1, "secret_threshold": 1},
            timeout=60,
        )
        init.raise_for_status()
        cluster.unseal_key = init.json()["keys_base64"][0]
        cluster.root_token = init.json()["root_token"]
        cluster.unseal(first)
        cluster.leader()
        if size > 1:
            _fast_autopilot(cluster)
            for node in cluster.nodes[1:]:
                cluster.unseal(node)
            expected = sorted(node.node_id for node in cluster.nodes)
            wait_until(lambda: cluster.voters() == expected, timeout=60, what="raft voters")
            wait_until(
                lambda: all((n.health() or {}).get("standby") is not None for n in cluster.nodes),
                what="every node unsealed",
            )
        yield cluster
    finally:
        for node in cluster.nodes:
            if node.proc is not None:
                stop(node.proc)
        shutil.rmtree(workdir, ignore_errors=True)


def _fast_autopilot(cluster: Cluster) -> None:
    """Promote joiners to voters after one second instead of ten (test clusters only)."""
    deadline = time.monotonic() + 30
    while True:
        response = requests.post(
            f"{cluster.leader().addr}/v1/sys/storage/raft/autopilot/configuration",
            headers={"X-Vault-Token": cluster.root_token},
            json={"server_stabilization_time": "1s", "cleanup_dead_servers": False},
            timeout=5,
        )
        if response.status_code < 300 or time.monotonic() > deadline:
            response.raise_for_status()
            return
        time.sleep(0.2)
