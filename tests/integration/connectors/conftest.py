"""Fixtures for connector tests: a fast HTTP client, platform fakes, Prism mocks of the
official Pinterest OpenAPI and of the OpenAPI derived from Google's and Meta's definitions."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from accessguard.connectors.http import HttpClient, RetryPolicy
from support.egress import ConfigReadingClient, admin_allows
from support.servers import free_port, stop, wait_until
from support.spec_openapi import (
    GOOGLE_DISCOVERY,
    META_SPECS,
    google_openapi,
    meta_openapi,
    write,
)

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
    with _prism_serving(PINTEREST_SPEC, "/user_account") as served:
        yield served


@contextmanager
def _prism_serving(spec: Path, probe: str) -> Iterator[Prism]:
    """``prism mock --errors`` of ``spec`` on a free loopback port, until ``probe`` answers."""
    port = free_port()
    mock = [str(_prism_binary()), "mock", "--host", "127.0.0.1"]
    proc = subprocess.Popen(
        [*mock, "--port", str(port), "--errors", str(spec)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: (
                requests.get(
                    f"{url}{probe}", headers={"Authorization": "Bearer x"}, timeout=2
                ).status_code
                < 500
            ),
            timeout=60,
            what="prism",
        )
        yield Prism(url)
    finally:
        stop(proc)


#: What Prism answers the Meta calls with (the schemas are the official specs').
META_EXAMPLES: dict[tuple[str, str], Any] = {
    ("GET", "/{id}"): {
        "id": "4411",
        "name": "Northwind Brands",
        "two_factor_type": "admin_required",
    },
    ("DELETE", "/{id}"): {"success": True},
    ("GET", "/{business-id}/business_users"): {
        "data": [
            {
                "id": "1001",
                "name": "Ann",
                "email": "ann@example.com",
                "role": "EMPLOYEE",
                "two_fac_status": "enabled",
                "pending_email": "ann.new@example.com",
            }
        ]
    },
    ("GET", "/{business-id}/pending_users"): {
        "data": [{"id": "3001", "email": "invitee@example.com", "role": "ADMIN"}]
    },
    ("GET", "/{asset-id}/assigned_users"): {"data": [{"id": "1001", "name": "Ann"}]},
    ("DELETE", "/{asset-id}/assigned_users"): {"success": True},
    ("GET", "/{asset-id}/agencies"): {"data": [{"id": "5001", "name": "Acme Social Agency"}]},
    ("DELETE", "/{asset-id}/agencies"): {"success": True},
}

#: What Prism answers the Google calls with (by discovery method id).
GOOGLE_EXAMPLES: dict[str, Any] = {
    "mybusinessaccountmanagement.accounts.get": {
        "name": "accounts/111",
        "accountName": "Northwind",
    },
    "mybusinessaccountmanagement.accounts.admins.list": {
        "accountAdmins": [
            {
                "name": "accounts/111/admins/901",
                "admin": "ann@example.com",
                "role": "OWNER",
                "pendingInvitation": True,
            },
            {"name": "accounts/111/admins/902", "admin": "Bob Jones", "role": "PRIMARY_OWNER"},
        ]
    },
    "mybusinessaccountmanagement.locations.admins.list": {
        "admins": [
            {
                "name": "locations/222/admins/903",
                "admin": "ann@example.com",
                "role": "MANAGER",
                "pendingInvitation": True,
            }
        ]
    },
}


@pytest.fixture(scope="session")
def meta_prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prism]:
    """Prism serving the OpenAPI derived from Meta's codegen node specs (``/v25.0``)."""
    if not (META_SPECS / "enum_types.json").exists():
        pytest.fail(f"Meta Graph specs missing: {META_SPECS}", pytrace=False)
    spec = write(
        meta_openapi(examples=META_EXAMPLES), tmp_path_factory.mktemp("meta") / "meta.json"
    )
    with _prism_serving(spec, "/v25.0/4411") as served:
        yield served


@pytest.fixture(scope="session")
def google_prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prism]:
    """Prism serving the OpenAPI derived from Google's discovery document."""
    if not GOOGLE_DISCOVERY.exists():
        pytest.fail(f"Google discovery document missing: {GOOGLE_DISCOVERY}", pytrace=False)
    spec = write(
        google_openapi(examples=GOOGLE_EXAMPLES),
        tmp_path_factory.mktemp("google") / "google.json",
    )
    with _prism_serving(spec, "/v1/accounts/111") as served:
        yield served


@pytest.fixture(autouse=True)
def _admin_allows_prism(request: pytest.FixtureRequest) -> None:
    """Prism outlives each test's home: allow it in every test's config file that uses it."""
    for name in ("prism", "meta_prism", "google_prism"):
        if name in request.fixturenames:
            admin_allows(request.getfixturevalue(name).url)


@pytest.fixture
def vault_env(openbao: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point accessguard at the session OpenBao under a fresh prefix; return the prefix."""
    prefix = f"t{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("VAULT_ADDR", openbao.addr)
    monkeypatch.setenv("VAULT_TOKEN", openbao.token)
    monkeypatch.setenv("ACCESSGUARD_VAULT_PREFIX", prefix)
    return prefix
