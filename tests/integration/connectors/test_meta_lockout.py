"""Meta lock-out facts: the connector reads them from a documented-shape fake, and
`report access --fetch-lockout` records them (token from OpenBao) and reports them."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from accessguard.app import App
from accessguard.config import load_settings
from accessguard.connectors.meta import MetaConnector
from accessguard.connectors.meta_lockout import BusinessUserFacts
from accessguard.db import tables
from accessguard.reports.lockout import recorded_meta_scans
from accessguard.secret import Secret
from support import rows
from support.fake_meta import MetaFake
from support.inventory import invoke
from support.vault import store_token


def _connector(meta: MetaFake, http) -> MetaConnector:
    return MetaConnector(settings=meta.settings(), secrets={"token": Secret(meta.token)}, http=http)


def test_lockout_reads_the_requirement_and_each_users_2fa_and_pending_email(http) -> None:
    with MetaFake() as meta:
        meta.two_factor_type = "admin_required"
        ann = meta.add_user("Ann@Example.com", "Ann", role="ADMIN")
        bob = meta.add_user("bob@example.com", "Bob", two_fac_status=None, pending_email="b@x.test")
        facts = _connector(meta, http).lockout()
    assert facts.business_id == meta.business_id
    assert facts.two_factor_type == "admin_required"
    assert set(facts.users) == {
        BusinessUserFacts(ann, "Ann", "ann@example.com", "ADMIN", "enabled", None),
        BusinessUserFacts(bob, "Bob", "bob@example.com", "EMPLOYEE", None, "b@x.test"),
    }


def test_lockout_follows_business_users_pages(http) -> None:
    with MetaFake() as meta:
        for n in range(130):  # the connector asks 100 a page
            meta.add_user(f"user{n}@example.com")
        facts = _connector(meta, http).lockout()
    assert len(facts.users) == 130


def _app(sqlite_url: str, clock) -> App:
    return App(settings=load_settings(overrides={"database.url": sqlite_url}), clock=clock)


def _kinds(result) -> set[tuple[str, str, str]]:
    assert result.exit_code == 0, result.stderr
    return {
        (f["kind"], f["subject_id"], f["severity"]) for f in json.loads(result.stdout)["findings"]
    }


def test_fetch_lockout_records_and_reports_meta_risks(
    sqlite_url, clock, openbao, vault_env
) -> None:
    app = _app(sqlite_url, clock)
    with MetaFake() as meta:
        meta.two_factor_type = "none"
        meta.add_user("ann@example.com", role="ADMIN", two_fac_status="not_enabled")
        meta.add_user("bob@example.com", pending_email="attacker@mail.test")
        with app.begin() as conn:
            rows.account(conn, "nw-meta", "meta-business", settings=meta.settings())
        store_token(openbao, vault_env, "nw-meta", meta.token)

        before = _kinds(invoke(sqlite_url, "report", "access", "--format", "json"))
        fetched = invoke(sqlite_url, "report", "access", "--format", "json", "--fetch-lockout")

    after = _kinds(fetched)
    assert not {k for k in before if k[0].startswith("meta-")}
    assert {k for k in after if k[0].startswith("meta-")} == {
        ("meta-few-admins", "nw-meta", "high"),
        ("meta-2fa-not-required", "nw-meta", "high"),
        ("meta-admin-no-2fa", "nw-meta/ann@example.com", "high"),
        ("meta-pending-email", "nw-meta/bob@example.com", "high"),
    }
    assert "1 Meta account" in fetched.stderr
    assert meta.token not in fetched.stdout + fetched.stderr
    with app.begin() as conn:
        (scan,) = recorded_meta_scans(conn)
    assert {u.email for u in scan.business.users} == {"ann@example.com", "bob@example.com"}


def test_a_healthy_business_reports_nothing(sqlite_url, clock, openbao, vault_env) -> None:
    app = _app(sqlite_url, clock)
    with MetaFake() as meta:
        meta.add_user("ann@example.com", role="ADMIN")
        meta.add_user("bob@example.com", role="ADMIN")
        meta.add_user("cat@example.com", two_fac_status=None)
        with app.begin() as conn:
            rows.account(conn, "nw-meta", "meta-business", settings=meta.settings())
        store_token(openbao, vault_env, "nw-meta", meta.token)
        fetched = invoke(sqlite_url, "report", "access", "--format", "json", "--fetch-lockout")
    assert not {k for k in _kinds(fetched) if k[0].startswith("meta-")}


def test_a_platform_failing_mid_scan_keeps_the_last_scan_whole(
    sqlite_url, clock, openbao, vault_env
) -> None:
    """A platform failing on the second account records nothing of the scan: the first
    account's last scan stays as it was (fetched first, recorded in one transaction)."""
    app = _app(sqlite_url, clock)
    with MetaFake() as first, MetaFake(business_id="5522") as second:
        first.add_user("ann@example.com", role="ADMIN", two_fac_status="not_enabled")
        second.add_user("bob@example.com", role="ADMIN")
        with app.begin() as conn:
            rows.account(conn, "a-meta", "meta-business", settings=first.settings())
            rows.account(conn, "b-meta", "meta-business", settings=second.settings())
        store_token(openbao, vault_env, "a-meta", first.token)
        store_token(openbao, vault_env, "b-meta", second.token)
        assert invoke(sqlite_url, "report", "access", "--fetch-lockout").exit_code == 0

        first.users.clear()  # the next scan of a-meta would record no users...
        # ...but b-meta's platform fails after a-meta was fetched
        second.fail_next(400, body={"error": {"message": "An unexpected error", "code": 1}})
        failed = invoke(sqlite_url, "report", "access", "--format", "json", "--fetch-lockout")

    assert failed.exit_code != 0
    assert failed.stderr.startswith("error:")
    assert "Traceback" not in failed.stderr
    with app.begin() as conn:
        recorded = {s.account: len(s.business.users) for s in recorded_meta_scans(conn)}
        users = conn.execute(select(func.count()).select_from(tables.meta_business_users))
        assert users.scalar_one() == 2
    assert recorded == {"a-meta": 1, "b-meta": 1}


def test_a_token_without_a_business_answers_a_clear_error(
    sqlite_url, clock, openbao, vault_env
) -> None:
    app = _app(sqlite_url, clock)
    with MetaFake() as meta:
        with app.begin() as conn:
            rows.account(conn, "nw-meta", "meta-business", settings=meta.settings())
        store_token(openbao, vault_env, "nw-meta", "a-wrong-token")
        failed = invoke(sqlite_url, "report", "access", "--fetch-lockout")
    assert failed.exit_code != 0
    assert failed.stderr.startswith("error:")
    assert "a-wrong-token" not in failed.stdout + failed.stderr


def test_accounts_of_one_business_share_one_fetch(sqlite_url, clock, openbao, vault_env) -> None:
    """The portfolio, its Page and its Instagram account: one scan of the business, recorded
    on each, reported once."""
    app = _app(sqlite_url, clock)
    with MetaFake() as meta:
        meta.add_user("ann@example.com", role="ADMIN")
        with app.begin() as conn:
            for name, platform in (("nw-meta", "meta-business"), ("nw-fb", "facebook")):
                rows.account(conn, name, platform, settings=meta.settings())
                store_token(openbao, vault_env, name, meta.token)
        fetched = invoke(sqlite_url, "report", "access", "--format", "json", "--fetch-lockout")
        business_reads = [h for h in meta.hits if h.path == f"/v25.0/{meta.business_id}"]
    assert len(business_reads) == 1
    assert {k for k in _kinds(fetched) if k[0].startswith("meta-")} == {
        ("meta-few-admins", "nw-fb", "high")
    }
    with app.begin() as conn:
        assert {s.account for s in recorded_meta_scans(conn)} == {"nw-fb", "nw-meta"}
