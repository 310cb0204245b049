"""Platform faults during an offboarding: 429 storms, 5xx storms, timeouts.

The leaver holds roles on Meta (fake), TikTok (fake) and a SCIM suite (real
scim2-server). While Meta and TikTok misbehave, the shipped `standard` playbook (its
platform step is `on_failure: continue`) finishes every other step and the run ends as a
partial failure (exit 4) with the failed items listed; the run state stays consistent
(no item left running, lock released, audit chain intact). Once the platforms recover,
`runs resume` completes exactly the failed items and redoes nothing else. A step with
`on_failure: stop` stops the run (exit 1) and resumes to the same end state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from accessguard.app import App
from accessguard.audit.chain import find_events
from accessguard.connectors import http
from accessguard.inventory.accounts import AccountInput, add_account
from accessguard.inventory.grants import add_grant
from accessguard.playbooks.loader import SHIPPED_DIR
from accessguard.playbooks.lock import holder_of
from support.fake_meta import MetaFake
from support.fake_tiktok import TikTokBusinessFake
from support.offboarding import LEAVER, World, build_world, invoke, invoke_json, vault_versions
from support.vault import admin_vault, rebootstrap, sqlite_vault_app

FAILED_ITEMS = {"grant-2", "grant-7"}  # the leaver's brand-fb (Meta) and brand-tt (TikTok) roles


@dataclasses.dataclass(frozen=True)
class QuickPolicy(http.RetryPolicy):
    """The real retry loop with short waits and timeouts, so storms play out in seconds."""

    attempts: int = 3
    backoff: float = 0.01
    max_total_wait: float = 2.0
    connect_timeout: float = 0.5
    read_timeout: float = 0.4


@dataclasses.dataclass
class Faulty:
    world: World
    tiktok: TikTokBusinessFake

    @property
    def app(self) -> App:
        return self.world.app


@pytest.fixture
def faulty(sqlite_url, clock, openbao, scim, monkeypatch) -> Iterator[Faulty]:
    """The offboarding world plus a TikTok Business Center where the leaver is a member."""
    monkeypatch.setattr(http, "RetryPolicy", QuickPolicy)
    for app in sqlite_vault_app(sqlite_url, clock, openbao, monkeypatch):
        with MetaFake() as meta, TikTokBusinessFake() as tiktok:
            world = build_world(app, openbao, scim, meta)
            tiktok.add_member(LEAVER, "Ann Leaver")
            tiktok.add_member("bob@example.com", "Bob Admin", role="ADMIN")
            with app.begin() as s:
                settings = {"base_url": tiktok.url, "bc_id": tiktok.bc_id}
                add_account(
                    s,
                    clock,
                    "setup",
                    AccountInput("brand-tt", "tiktok", "nw-tt", settings=settings),
                )
                for email, role in ((LEAVER, "operator"), ("bob@example.com", "admin")):
                    add_grant(
                        s,
                        clock,
                        "setup",
                        person_email=email,
                        account_ref="brand-tt",
                        role=role,
                        via="platform-role",
                    )
            rebootstrap(app, openbao)
            admin = admin_vault(app, openbao)
            admin.kv.write(
                f"{admin.paths.prefix}/connectors/accounts/brand-tt", {"token": tiktok.token}, cas=0
            )
            yield Faulty(world, tiktok)


def storm(f: Faulty, kind: str) -> None:
    """Make every Meta and TikTok call fail in the given way (until ``recover``)."""
    for fake in (f.world.meta, f.tiktok):
        if kind == "429":
            fake.fail_next(
                429,
                times=500,
                headers={"Retry-After": "0"},
                body={"error": {"message": "slow down", "code": 4}},
            )
        elif kind == "5xx":
            fake.fail_next(503, times=500, body="upstream unavailable")
        else:  # timeouts: the answer comes long after the client stopped waiting
            fake.fail_next(200, times=500, delay=1.0, body={})


def recover(f: Faulty) -> None:
    for fake in (f.world.meta, f.tiktok):
        with fake._lock:
            fake.faults.clear()


def items(run: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(s["id"], i["item"]): i for s in run["steps"] for i in s["items"]}


def assert_consistent(f: Faulty, run: dict[str, Any]) -> None:
    """No item mid-flight, step statuses follow their items, lock released, audit intact."""
    for step in run["steps"]:
        statuses = {i["status"] for i in step["items"]}
        assert statuses <= {
            "pending",
            "changed",
            "unchanged",
            "failed",
            "waiting",
            "done",
            "held",
        }, step
        if "failed" in statuses:
            assert step["status"] == "failed", step
    with f.app.begin() as s:
        assert holder_of(s, LEAVER) is None
    assert invoke(f.app, "audit", "verify").exit_code == 0


def rotations(f: Faulty) -> int:
    with f.app.begin() as s:
        return len(find_events(s, action="credential.rotate"))


@pytest.mark.parametrize("kind", ["429", "5xx", "timeout"])
def test_storm_ends_partial_and_resumes_after_recovery(faulty: Faulty, kind: str) -> None:
    f = faulty
    storm(f, kind)
    code, out = invoke_json(f.app, "offboard", LEAVER, "--yes", "--concurrency", "3")
    run = out["run"]
    assert code == 4 and run["status"] == "partial", run
    by_item = items(run)
    failed = {key for key, item in by_item.items() if item["status"] == "failed"}
    assert failed == {("revoke-platform-access", i) for i in FAILED_ITEMS}, failed
    expected = {"429": "HTTP 429", "5xx": "HTTP 503", "timeout": "timed out"}[kind]
    for key in failed:
        assert expected in by_item[key]["message"] and "attempt" in by_item[key]["message"]
    # Every other step finished despite the failures.
    assert by_item[("revoke-platform-access", "grant-1")]["status"] == "changed"  # SCIM seat
    assert by_item[("revoke-vault-access", "subject")]["status"] == "changed"
    # A grant whose removal failed is held revoke-pending, not ended; the others end. The
    # subject is marked departed only once nothing of the run is held.
    held = {("end-grants", i) for i in FAILED_ITEMS}
    gated = {("mark-departed", "subject")}  # held by the engine before it runs: 0 attempts
    assert {k for k, i in by_item.items() if i["status"] == "held"} == held | gated
    assert {i["status"] for k, i in by_item.items() if k[0] == "end-grants" and k not in held} == {
        "changed"
    }
    assert {i["status"] for (s, _), i in by_item.items() if s == "rotate-shared-logins"} == {
        "waiting"
    }
    assert_consistent(f, run)
    assert LEAVER in f.world.meta.business_emails() and LEAVER in f.tiktok.emails()

    code, shown = invoke_json(f.app, "runs", "show", run["id"])
    listed = {
        (s["id"], i["item"]) for s in shown["steps"] for i in s["items"] if i["status"] == "failed"
    }
    assert listed == failed and shown["counts"]["failed"] == 2

    # Resuming while the platforms are still down changes nothing else and stays partial.
    result = invoke(f.app, "runs", "resume", run["id"])
    assert result.exit_code == 4, result.stderr
    before = {
        k: (i["status"], i["attempts"])
        for k, i in items(invoke_json(f.app, "runs", "show", run["id"])[1]).items()
    }
    assert all(before[k] == ("failed", 2) for k in failed)
    assert all(before[k] == ("held", 2) for k in held), {k: before[k] for k in held}
    assert all(before[k] == ("held", 0) for k in gated), {k: before[k] for k in gated}

    recover(f)
    result = invoke(f.app, "runs", "resume", run["id"])
    assert result.exit_code == 5, result.stderr  # only manual steps are left
    code, final = invoke_json(f.app, "runs", "show", run["id"])
    after = items(final)
    assert final["status"] == "waiting"
    for key, item in after.items():
        if key in failed | held:
            assert item["status"] == "changed" and item["attempts"] == 3, item
        elif key in gated:
            assert (item["status"], item["attempts"]) == ("changed", 1), item
        else:
            assert (item["status"], item["attempts"]) == before[key], (key, item)
    assert LEAVER not in f.world.meta.business_emails() and LEAVER not in f.tiktok.emails()
    assert "bob@example.com" in f.tiktok.emails()
    assert vault_versions(f.world) == {"brand-x": 2, "brand-yt": 2} and rotations(f) == 2
    assert_consistent(f, final)


def test_a_short_storm_is_absorbed_by_retries(faulty: Faulty) -> None:
    f = faulty
    f.world.meta.fail_next(429, times=1, headers={"Retry-After": "0"})
    f.tiktok.fail_next(503, times=1)
    code, out = invoke_json(f.app, "offboard", LEAVER, "--yes")
    assert code == 5 and "failed" not in out["run"]["counts"], out["run"]["counts"]
    assert LEAVER not in f.world.meta.business_emails() and LEAVER not in f.tiktok.emails()


def _stop_playbook(tmp: Path) -> Path:
    data = yaml.safe_load((SHIPPED_DIR / "standard.yaml").read_text())
    data["name"] = "standard-stop"
    for step in data["steps"]:
        if step["id"] == "revoke-platform-access":
            step["on_failure"] = "stop"
    path = tmp / "standard-stop.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_on_failure_stop_stops_then_resumes(faulty: Faulty, tmp_path: Path) -> None:
    f = faulty
    playbook = _stop_playbook(tmp_path)
    storm(f, "5xx")
    code, out = invoke_json(f.app, "offboard", LEAVER, "--yes", "--playbook", str(playbook))
    run = out["run"]
    assert code == 1 and run["status"] == "failed", run
    by_item = items(run)
    # The run stopped after the failing step: Vault access, grants and rotations untouched.
    for step in ("revoke-vault-access", "end-grants", "rotate-shared-logins", "mark-departed"):
        assert {i["status"] for (s, _), i in by_item.items() if s == step} == {"pending"}, step
    assert_consistent(f, run)
    assert vault_versions(f.world) == {"brand-x": 1, "brand-yt": 1}

    recover(f)
    result = invoke(f.app, "runs", "resume", run["id"])
    assert result.exit_code == 5, result.stderr
    final = items(invoke_json(f.app, "runs", "show", run["id"])[1])
    assert all(i["status"] in ("changed", "unchanged", "waiting") for i in final.values())
    assert vault_versions(f.world) == {"brand-x": 2, "brand-yt": 2} and rotations(f) == 2
    assert LEAVER not in f.world.meta.business_emails() and LEAVER not in f.tiktok.emails()
    done_before = [k for k, i in by_item.items() if i["status"] in ("changed", "unchanged")]
    assert done_before and all(final[k]["attempts"] == 1 for k in done_before)
