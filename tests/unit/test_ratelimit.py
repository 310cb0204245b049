"""Token buckets per platform and business, driven by the platforms' usage headers."""

from __future__ import annotations

import json

import pytest

from accessguard.connectors.ratelimit import RateLimits, read_usage


class Clock:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def limits(clock: Clock) -> RateLimits:
    return RateLimits(clock=clock, sleep=clock.sleep, now=lambda: 1_700_000_000.0)


def test_a_burst_then_the_platform_rate() -> None:
    clock = Clock()
    bucket = limits(clock)
    waits = [bucket.acquire("meta:42") for _ in range(12)]
    assert waits[:10] == [0.0] * 10  # Meta's burst
    assert waits[10:] == pytest.approx([0.2, 0.2])  # then 5 per second


def test_meta_business_usage_slows_then_pauses_the_business_only() -> None:
    clock = Clock()
    bucket = limits(clock)
    near = {"42": [{"type": "pages", "call_count": 95, "total_time": 10, "total_cputime": 5}]}
    bucket.observe("meta:42", {"X-Business-Use-Case-Usage": json.dumps(near)})
    for _ in range(10):
        bucket.acquire("meta:42")
    slow = bucket.acquire("meta:42")
    assert slow > 0.2 * 3  # refills at the 5% left of the limit, not at 5/s
    assert bucket.acquire("meta:77") == 0.0  # another business has its own bucket
    over = {"42": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 3}]}
    bucket.observe("meta:42", {"X-Business-Use-Case-Usage": json.dumps(over)})
    assert bucket.acquire("meta:42") >= 180.0  # three minutes to regain access


def test_app_usage_header_is_read() -> None:
    usage = read_usage({"X-App-Usage": '{"call_count": 80, "total_time": 20}'}, now=0)
    assert usage.percent == 80.0 and usage.wait is None


def test_pinterest_remaining_and_reset() -> None:
    clock = Clock()
    bucket = limits(clock)
    bucket.observe("pinterest:9", {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "7"})
    assert bucket.acquire("pinterest:9") == 7.0
    epoch = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(1_700_000_000 + 30)}
    bucket.observe("pinterest:9", epoch)
    assert bucket.acquire("pinterest:9") == 30.0


def test_no_key_no_limit_and_junk_headers_are_ignored() -> None:
    clock = Clock()
    bucket = limits(clock)
    assert all(bucket.acquire(None) == 0.0 for _ in range(100))
    bucket.observe(
        "meta:1", {"X-Business-Use-Case-Usage": "not json", "X-RateLimit-Remaining": "x"}
    )
    assert bucket.acquire("meta:1") == 0.0
