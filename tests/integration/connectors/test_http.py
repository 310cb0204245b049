"""The shared HTTP layer against a real socket: retries, Retry-After, rate-limit headers, timeouts."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests

from accessguard.connectors.base import Target
from accessguard.connectors.http import (
    HttpClient,
    PlatformRefusedError,
    RetryPolicy,
)
from accessguard.connectors.http_answers import requested_delay
from accessguard.connectors.meta import MetaConnector
from accessguard.errors import TransientConnectorError
from accessguard.results import Outcome
from accessguard.secret import Secret
from support.egress import allowed_hosts
from support.fake_meta import MetaFake
from support.fake_platforms import OktaFake


@pytest.fixture
def meta():
    with MetaFake() as fake:
        yield fake


def meta_connector(fake: MetaFake, http: HttpClient) -> MetaConnector:
    return MetaConnector(settings=fake.settings(), secrets={"token": Secret(fake.token)}, http=http)


def test_429_with_retry_after_then_success(meta, http, sleeps) -> None:
    meta.add_user("ann@example.com")
    meta.fail_next(
        429, headers={"Retry-After": "7"}, body={"error": {"message": "slow down", "code": 4}}
    )
    holders = meta_connector(meta, http).list_holders()
    assert [h.email for h in holders] == ["ann@example.com"]
    assert sleeps == [7.0]


def test_retry_after_as_http_date(meta, http, sleeps) -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    meta.fail_next(503, headers={"Retry-After": format_datetime(when, usegmt=True)})
    meta_connector(meta, http).check()
    assert len(sleeps) == 1 and 25 <= sleeps[0] <= 31


def test_business_use_case_usage_header_sets_the_wait(meta, http, sleeps) -> None:
    usage = '{"4411": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 1}]}'
    meta.fail_next(
        400,
        headers={"X-Business-Use-Case-Usage": usage},
        body={
            "error": {
                "message": "User request limit reached",
                "type": "OAuthException",
                "code": 80004,
                "fbtrace_id": "x",
            }
        },
    )
    assert meta_connector(meta, http).check().outcome is Outcome.UNCHANGED
    assert sleeps == [60.0]


def test_repeated_500s_surface_as_transient(meta, http, sleeps) -> None:
    meta.fail_next(
        500,
        times=3,
        body={
            "error": {
                "message": "An unexpected error has occurred",
                "code": 2,
                "is_transient": True,
            }
        },
    )
    with pytest.raises(TransientConnectorError) as info:
        meta_connector(meta, http).check()
    assert "after 3 attempt(s)" in str(info.value)
    assert "An unexpected error has occurred" in str(info.value)
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0]  # exponential backoff


def test_timeout_surfaces_as_transient(meta, http) -> None:
    meta.fail_next(200, times=3, delay=1.0, body={"id": "4411"})
    with pytest.raises(TransientConnectorError, match="timed out"):
        meta_connector(meta, http).check()


def test_timeout_once_then_success(meta, http) -> None:
    meta.fail_next(200, delay=1.0, body={"id": "late"})
    assert meta_connector(meta, http).check().outcome is Outcome.UNCHANGED


def test_wait_beyond_the_budget_gives_up_at_once(meta, sleeps) -> None:
    client = HttpClient(
        allowed_hosts=allowed_hosts(),
        policy=RetryPolicy(attempts=5, max_total_wait=10),
        sleep=sleeps,
    )
    meta.fail_next(429, headers={"Retry-After": "3600"})
    with pytest.raises(TransientConnectorError) as info:
        meta_connector(meta, client).check()
    assert sleeps == []
    assert "3600" in (info.value.hint or "")


def test_connection_refused_is_transient(http) -> None:
    from support.egress import admin_allows
    from support.servers import free_port

    closed = f"http://127.0.0.1:{free_port()}"
    admin_allows(closed)
    conn = MetaConnector(
        settings={"base_url": closed, "business_id": "1"},
        secrets={"token": Secret("t-123456")},
        http=http,
    )
    with pytest.raises(TransientConnectorError, match="connection failed"):
        conn.check()


def test_4xx_is_permanent_with_the_platform_message_and_no_token(meta, http, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="accessguard")
    conn = MetaConnector(
        settings=meta.settings(), secrets={"token": Secret("stolen-meta-token-9")}, http=http
    )
    with pytest.raises(PlatformRefusedError) as info:
        conn.list_holders()
    text = f"{info.value} {info.value.hint}"
    assert "Invalid OAuth access token" in text and "code 190" in text
    assert "stolen-meta-token-9" not in text
    assert "stolen-meta-token-9" not in caplog.text


def test_graph_object_gone_on_delete_is_unchanged(meta, http) -> None:
    uid = meta.add_user("ann@example.com")
    # Someone removed Ann between our listing and our delete: Graph answers 100/33.
    meta.fail_next(
        400,
        path=f"/v25.0/{uid}",
        body={"error": {"message": "Unsupported delete request", "code": 100, "error_subcode": 33}},
    )
    result = meta_connector(meta, http).revoke(Target(email="ann@example.com"))
    assert result.outcome is Outcome.UNCHANGED


def test_okta_rate_limit_reset_epoch(sleeps) -> None:
    with OktaFake() as okta:
        okta.add_user("ann@example.com")
        reset = int(datetime.now(UTC).timestamp()) + 20
        okta.fail_next(
            429,
            headers={"X-Rate-Limit-Reset": str(reset)},
            body={
                "errorCode": "E0000047",
                "errorSummary": "API call exceeded rate limit due to too many requests.",
            },
        )
        client = HttpClient(
            allowed_hosts=allowed_hosts(), policy=RetryPolicy(max_total_wait=60), sleep=sleeps
        )
        from accessguard.connectors.okta import OktaConnector

        conn = OktaConnector(
            settings={"base_url": okta.url}, secrets={"token": Secret(okta.token)}, http=client
        )
        assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.CHANGED
    assert len(sleeps) == 1 and 15 <= sleeps[0] <= 21


def test_non_idempotent_calls_are_not_retried_on_500(sleeps) -> None:
    from support.fake_notifiers import JiraFake

    with JiraFake() as jira:
        jira.fail_next(502, times=1)
        client = HttpClient(
            allowed_hosts=allowed_hosts(), policy=RetryPolicy(attempts=3), sleep=sleeps
        )
        with pytest.raises(TransientConnectorError):
            client.request(
                "POST",
                f"{jira.url}/rest/api/2/issue",
                service="jira",
                json_body={},
                idempotent=False,
            )
    assert sleeps == []


def test_requested_delay_reads_reddit_style_seconds() -> None:
    response = requests.Response()
    response.headers["X-Ratelimit-Reset"] = "12"
    assert requested_delay(response) == 12.0


def test_every_call_has_a_timeout() -> None:
    client = HttpClient(
        allowed_hosts=allowed_hosts(), policy=RetryPolicy(connect_timeout=1.5, read_timeout=2.5)
    )
    assert client.session.default_timeout == (1.5, 2.5)  # type: ignore[attr-defined]
