"""Fixtures for connector tests: a fast HTTP client, platform fakes, a Prism mock of Pinterest."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from accessguard.connectors.http import HttpClient, RetryPolicy
from support.egress import ConfigReadingClient, admin_allows
from support.servers import free_port, stop, wait_until

ROOT = Path(__file__).resolve().parents[3]
PINTEREST_SPEC = ROOT.parent / "shared" / "specs" / "pinterest-v5.openapi.json"


class Sleeps(list[float]):
    """Records the delays the client asked to sleep, without sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    """The delays slept by ``http`` (it never really sleeps)."""
    return Sleeps()


@pytest.fixture
def http(sleeps: Sleeps) -> Iterator[HttpClient]:
    """A client with short timeouts, 3 attempts, a 120 s budget and recorded sleeps.

    It reaches the official hosts and what the test's config file allows (the fakes).
    """
    client = ConfigReadingClient(
        policy=RetryPolicy(attempts=3, backoff=0.01, max_total_wait=120.0, read_timeout=0.5),
        sleep=sleeps,
        jitter=lambda: 0.5,
    )
    yield client
    client.close()


@dataclass
class Prism:
    """A running ``prism mock`` of an OpenAPI spec."""

    url: str


def _prism_binary() -> Path:
    binary = ROOT / "node_modules" / ".bin" / "prism"
    if not binary.exists():
        hint = (
            "run scripts/bootstrap.sh (needs node and npm)"
            if shutil.which("npm")
            else "install node and npm, then run scripts/bootstrap.sh"
        )
        pytest.fail(f"Prism not found at {binary}: {hint}", pytrace=False)
    return binary


@pytest.fixture(scope="session")
def prism() -> Iterator[Prism]:
    """``prism mock`` of the official Pinterest v5 spec on a free loopback port (validates requests)."""
    if not PINTEREST_SPEC.exists():
        pytest.fail(f"Pinterest spec missing: {PINTEREST_SPEC}", pytrace=False)
    port = free_port()
    proc = subprocess.Popen(
        [
            str(_prism_binary()),
            "mock",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--errors",
            str(PINTEREST_SPEC),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: (
                requests.get(
                    f"{url}/user_account", headers={"Authorization": "Bearer x"}, timeout=2
                ).status_code
                < 500
            ),
            timeout=60,
            what="prism",
        )
        yield Prism(url)
    finally:
        stop(proc)


@pytest.fixture(autouse=True)
def _admin_allows_prism(request: pytest.FixtureRequest) -> None:
    """Prism outlives each test's home: allow it in every test's config file that uses it."""
    if "prism" in request.fixturenames:
        admin_allows(request.getfixturevalue("prism").url)
