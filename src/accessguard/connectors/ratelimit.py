"""Rate limits as the platforms state them: one token bucket per platform and business.

Every request a connector sends through an ``HttpClient`` first takes a token from the
bucket of its ``rate_key`` (``meta:<business id>``, ``pinterest:<business id>``, ...),
and every answer's usage headers adjust that bucket. The items of a run share one
client (``registry.http_client``), so twenty concurrent revokes on one Meta business
slow down together when Meta says the business is near its limit, instead of each
finding out with an error:

- Meta: ``X-Business-Use-Case-Usage`` (per business id), ``X-App-Usage`` and
  ``X-Ad-Account-Usage`` give percentages of the limit used (``call_count``,
  ``total_cputime``, ``total_time``, ``acc_id_util_pct``) and
  ``estimated_time_to_regain_access`` in minutes. Above ``SLOW_AT`` percent the bucket
  refills at the share that is left; at 100, or with time to regain access, it pauses.
- Pinterest (and any platform that sends them): ``X-RateLimit-Remaining`` and
  ``X-RateLimit-Reset``: no tokens beyond what is remaining; none at all until the
  reset when nothing remains.
- TikTok's Business API states its limits per app and endpoint in its documentation
  (QPS and QPM) and answers ``40100`` when over them; it sends no usage headers, so its
  bucket is the documented default.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

#: Calls per second and burst per platform when the platform says nothing more.
DEFAULTS: dict[str, tuple[float, float]] = {
    "meta": (5.0, 10.0),
    "pinterest": (10.0, 20.0),
    "tiktok": (10.0, 10.0),
}
FALLBACK = (10.0, 20.0)
#: Above this share of a platform's stated limit, the bucket refills at what is left.
SLOW_AT = 75.0
#: Never wait longer than this for one token (a platform asking for more fails instead).
MAX_WAIT = 15 * 60.0
_EPSILON = 1e-9  # refills are floats: 0.2 s at 5/s is 0.9999999… of a token
_MIN_DELAY = 0.001
_META_HEADERS = ("X-Business-Use-Case-Usage", "X-App-Usage", "X-Ad-Account-Usage")
_META_FIELDS = ("call_count", "total_cputime", "total_time", "acc_id_util_pct")


@dataclass
class Bucket:
    """Tokens for one platform and business."""

    rate: float
    burst: float
    tokens: float
    updated: float
    #: the platform's usage in percent (0-100) as last reported, if it reports one.
    usage: float = 0.0
    paused_until: float = 0.0

    @property
    def refill(self) -> float:
        """Tokens per second now: slower as the platform's reported usage nears its limit."""
        if self.usage <= SLOW_AT:
            return self.rate
        left = max(100.0 - self.usage, 0.0) / (100.0 - SLOW_AT)
        return max(self.rate * left, self.rate / 50)


@dataclass(frozen=True)
class Usage:
    """What one answer said about the limit: percent used, seconds to wait, tokens left."""

    percent: float | None = None
    wait: float | None = None
    remaining: float | None = None


class RateLimits:
    """Token buckets by rate key, safe to share between the threads of a run."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._now = now
        self._lock = threading.Lock()
        self._buckets: dict[str, Bucket] = {}

    def _bucket(self, key: str, at: float) -> Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            rate, burst = DEFAULTS.get(key.partition(":")[0], FALLBACK)
            bucket = Bucket(rate=rate, burst=burst, tokens=burst, updated=at)
            self._buckets[key] = bucket
        return bucket

    def acquire(self, key: str | None) -> float:
        """Take one token for ``key`` (waiting for it); the seconds waited."""
        if key is None:
            return 0.0
        waited = 0.0
        slept_until = 0.0  # an injected sleep may not move the clock: count what we slept
        while True:
            with self._lock:
                at = max(self._clock(), slept_until)
                bucket = self._bucket(key, at)
                bucket.tokens = min(
                    bucket.burst, bucket.tokens + (at - bucket.updated) * bucket.refill
                )
                bucket.updated = at
                if bucket.paused_until > at:
                    delay = bucket.paused_until - at
                elif bucket.tokens >= 1.0 - _EPSILON:
                    bucket.tokens = max(bucket.tokens - 1.0, 0.0)
                    return waited
                else:
                    delay = max((1.0 - bucket.tokens) / bucket.refill, _MIN_DELAY)
            delay = min(delay, MAX_WAIT)
            self._sleep(delay)
            waited += delay
            slept_until = at + delay

    def observe(self, key: str | None, headers: Mapping[str, str]) -> Usage:
        """Adjust ``key``'s bucket to what an answer's headers say; what they said."""
        usage = read_usage(headers, now=self._now())
        if key is None or usage == Usage():
            return usage
        with self._lock:
            at = self._clock()
            bucket = self._bucket(key, at)
            if usage.percent is not None:
                bucket.usage = usage.percent
                if usage.percent >= 100.0:
                    bucket.paused_until = max(bucket.paused_until, at + 60.0)
            if usage.remaining is not None:
                bucket.tokens = min(bucket.tokens, usage.remaining)
            if usage.wait:
                bucket.paused_until = max(bucket.paused_until, at + min(usage.wait, MAX_WAIT))
        return usage

    def usage(self, key: str) -> float:
        """The usage percent last reported for ``key`` (0 when none)."""
        with self._lock:
            bucket = self._buckets.get(key)
            return bucket.usage if bucket else 0.0


def read_usage(headers: Mapping[str, str], *, now: float) -> Usage:
    """The usage a platform reported in its headers (Meta's JSON ones, X-RateLimit-*)."""
    percents: list[float] = []
    waits: list[float] = []
    for name in _META_HEADERS:
        value = headers.get(name)
        if value:
            _meta_usage(value, percents, waits)
    remaining: float | None = None
    if (value := headers.get("X-RateLimit-Remaining")) is not None:
        try:
            remaining = max(float(value), 0.0)
        except ValueError:
            remaining = None
    if remaining == 0.0 and (reset := headers.get("X-RateLimit-Reset")):
        try:
            seconds = float(reset)
        except ValueError:
            seconds = 0.0
        # Epoch seconds or seconds from now, as platforms differ.
        waits.append(seconds - now if seconds > 1_000_000_000 else seconds)
    return Usage(
        percent=max(percents) if percents else None,
        wait=max((w for w in waits if w > 0), default=None),
        remaining=remaining,
    )


def _meta_usage(value: str, percents: list[float], waits: list[float]) -> None:
    """Meta's usage headers: an object, or an object of lists of objects per business."""
    try:
        parsed = json.loads(value)
    except ValueError:
        return
    entries: list[object] = []
    if isinstance(parsed, dict):
        if any(field in parsed for field in _META_FIELDS):
            entries.append(parsed)
        else:
            for listed in parsed.values():
                entries.extend(listed if isinstance(listed, list) else [listed])
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        for field in _META_FIELDS:
            number = entry.get(field)
            if isinstance(number, int | float):
                percents.append(float(number))
        minutes = entry.get("estimated_time_to_regain_access")
        if isinstance(minutes, int | float) and minutes > 0:
            waits.append(float(minutes) * 60)
