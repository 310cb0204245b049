"""The one HTTP layer every connector uses: timeouts, retries with backoff, error translation.

Every call has a timeout. 429, 408 and 5xx answers, timeouts and connection failures
are retried with exponential backoff and jitter, waiting what ``Retry-After`` or the
platform's rate-limit headers ask for, within a bounded total wait. What is left is
translated here, where ``requests`` enters the project: ``TransientConnectorError``
(safe to retry later) or ``PlatformRefusedError`` (a ``PermanentConnectorError``
carrying the platform's own message). Error text never holds a token: only the method,
a caller-given description of the endpoint, and redacted platform messages.

Egress is checked here, once, before anything is sent (rules in ``egress.py``): the
first URL against the platform's official hosts and ``[connectors] allowed_hosts``,
every ``next`` link against the origin the caller names, and every redirect hop
against the request it answered (redirects are followed by hand, never by requests).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from accessguard import __version__
from accessguard.connectors.egress import EgressPolicy
from accessguard.connectors.http_answers import platform_message, requested_delay
from accessguard.connectors.ratelimit import RateLimits
from accessguard.errors import PermanentConnectorError, TransientConnectorError
from accessguard.secret import redact

log = logging.getLogger(__name__)

TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_REDIRECTS = 5


class PlatformRefusedError(PermanentConnectorError):
    """The platform answered with a 4xx (or an error envelope): retrying will not help."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None,
        platform_code: str | None = None,
        hint: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint, code=code)
        self.status = status
        self.platform_code = platform_code


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait for an answer and how hard to retry."""

    attempts: int = 4
    backoff: float = 0.5
    max_delay: float = 30.0
    max_total_wait: float = 60.0
    connect_timeout: float = 5.0
    read_timeout: float = 20.0

    @property
    def timeout(self) -> tuple[float, float]:
        """The (connect, read) timeout given to requests."""
        return (self.connect_timeout, self.read_timeout)


@dataclass(frozen=True)
class Verdict:
    """A connector's reading of an answer that HTTP status alone does not explain."""

    transient: bool
    message: str
    platform_code: str | None = None
    retry_after: float | None = None
    #: what the admin should do (a permanent refusal only); else the status's usual hint.
    hint: str | None = None


#: Looks at an answer the status code calls fine (or an error) and may overrule it.
Inspector = Callable[[requests.Response], Verdict | None]


class TimeoutSession(requests.Session):
    """A ``requests.Session`` that never sends a request without a timeout."""

    def __init__(self, timeout: tuple[float, float]) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        """Send a request, with the default timeout unless one is given."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, *args, **kwargs)


class HttpClient:
    """A shared session plus the egress, retry and error-translation rules.

    ``allowed_hosts`` is the admin's ``[connectors] allowed_hosts`` (build the client
    with ``registry.http_client(app)``); without it only official hosts are reachable.
    Inject ``sleep`` and ``jitter`` in tests.
    """

    def __init__(
        self,
        *,
        allowed_hosts: Iterable[str] = (),
        connector_hosts: Mapping[str, Iterable[str]] | None = None,
        policy: RetryPolicy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        rate_limits: RateLimits | None = None,
    ) -> None:
        self.egress = EgressPolicy.from_setting(allowed_hosts, connector_hosts)
        self.policy = policy or RetryPolicy()
        self.session = session or TimeoutSession(self.policy.timeout)
        self.session.headers.setdefault("User-Agent", f"accessguard/{__version__}")
        self._sleep = sleep
        self._jitter = jitter
        #: token buckets per platform and business, shared by every call of this client.
        self.limits = rate_limits or RateLimits(sleep=sleep)

    def close(self) -> None:
        """Release pooled connections."""
        self.session.close()

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter for the ``attempt``-th retry (1-based)."""
        ceiling = min(self.policy.max_delay, self.policy.backoff * 2.0 ** (attempt - 1))
        return ceiling / 2 + self._jitter() * ceiling / 2

    def request(
        self,
        method: str,
        url: str,
        *,
        service: str,
        what: str | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        data: Mapping[str, Any] | None = None,
        allow: Collection[int] = (),
        inspect: Inspector | None = None,
        idempotent: bool = True,
        official_hosts: Collection[str] = (),
        origin: str | None = None,
        connector: str | None = None,
        rate_key: str | None = None,
    ) -> requests.Response:
        """Send one request with retries; return the answer if 2xx or in ``allow``, else raise.

        ``what`` names the endpoint in messages instead of the URL (use it when the URL
        itself is secret, as for Slack webhooks). Non-idempotent calls are retried only
        when the platform certainly did not act (429, or a connection never made).
        ``official_hosts`` are the platform's own API hosts; ``origin`` (the API root)
        pins ``url`` to its scheme, host and port, so a ``next`` link cannot leave it.
        Nothing is sent to a URL the egress rules refuse (``EgressRefusedError``);
        ``connector`` (registry name) adds the hosts allowed for that connector only.
        ``rate_key`` (``meta:<business>``) names the token bucket the first attempt takes
        from and every answer's usage headers adjust (``ratelimit.py``).
        """
        self.egress.check(
            url, service=service, official_hosts=official_hosts, origin=origin, connector=connector
        )
        label = f"{service}: {method} {what or urlsplit(url).path}"
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            if attempt == 1:  # a retry already waited what the platform asked
                self.limits.acquire(rate_key)
            try:
                response = self._send(
                    method,
                    url,
                    label=label,
                    official_hosts=official_hosts,
                    headers=dict(headers or {}),
                    params=params,
                    json_body=json_body,
                    data=data,
                )
            except requests.Timeout as exc:
                sent = not isinstance(exc, requests.ConnectTimeout)
                reason, asked, retryable = "timed out", None, idempotent or not sent
            except requests.ConnectionError:
                reason, asked, retryable = "connection failed", None, idempotent
            except requests.RequestException as exc:
                raise PermanentConnectorError(
                    f"{label} could not be sent ({type(exc).__name__})",
                    hint="check the connector's base_url setting",
                    code="connector-bad-request",
                ) from None
            else:
                log.debug("%s -> HTTP %s", label, response.status_code)
                self.limits.observe(rate_key, response.headers)
                verdict = inspect(response) if inspect else None
                if verdict is None and (response.ok or response.status_code in allow):
                    return response
                if verdict is None:
                    message, platform_code = platform_message(response)
                    if response.status_code not in TRANSIENT_STATUSES:
                        raise _refused(label, response.status_code, message, platform_code)
                    verdict = Verdict(True, message, platform_code)
                elif not verdict.transient:
                    raise _refused(
                        label,
                        response.status_code,
                        verdict.message,
                        verdict.platform_code,
                        hint=verdict.hint,
                    )
                reason = f"HTTP {response.status_code}: {verdict.message}".rstrip(": ")
                asked = verdict.retry_after
                if asked is None:
                    asked = requested_delay(response)
                retryable = idempotent or response.status_code == 429
            delay = asked if asked is not None else self.backoff(attempt)
            if (
                not retryable
                or attempt >= self.policy.attempts
                or (waited + delay > self.policy.max_total_wait)
            ):
                hint = "retry later"
                if asked is not None:
                    hint = f"the platform asks to wait {asked:.0f}s before retrying"
                raise TransientConnectorError(
                    redact(f"{label} failed after {attempt} attempt(s): {reason}"),
                    hint=hint,
                    code="connector-transient",
                )
            log.info("%s: %s; retrying in %.2fs", label, reason, delay)
            self._sleep(delay)
            waited += delay

    def _send(
        self,
        method: str,
        url: str,
        *,
        label: str,
        official_hosts: Collection[str],
        headers: dict[str, str],
        params: Mapping[str, Any] | None,
        json_body: Any,
        data: Mapping[str, Any] | None,
    ) -> requests.Response:
        """One attempt; a redirect is followed only within the origin of the hop it answers.

        requests would follow redirects itself, carrying custom token headers (TikTok's
        ``Access-Token``) and query parameters to wherever ``Location`` points.
        """
        for _ in range(MAX_REDIRECTS + 1):
            response = self.session.request(
                method,
                url,
                headers=headers,
                params=params,
                json=json_body,
                data=data,
                timeout=self.policy.timeout,
                allow_redirects=False,
            )
            if not response.is_redirect:
                return response
            response.close()
            target = urljoin(response.url, response.headers["Location"])
            self.egress.check(
                target, service=label, official_hosts=official_hosts, origin=response.url
            )
            status = response.status_code
            if (status in (302, 303) and method != "HEAD") or (status == 301 and method == "POST"):
                method, json_body, data = "GET", None, None  # as browsers and requests do
            url, params = target, None  # the Location carries its own query
        raise PermanentConnectorError(
            f"{label}: more than {MAX_REDIRECTS} redirects", code="connector-redirects"
        )


#: The hint when a platform says the API version we sent is retired or unsupported.
VERSION_HINT = (
    "the platform no longer serves the API version this connector sends: set the account's "
    "api_version setting to a current one (docs/connectors.md, API versions)"
)


def _refused(
    label: str,
    status: int,
    message: str,
    platform_code: str | None,
    *,
    hint: str | None = None,
) -> PlatformRefusedError:
    if hint is not None:
        return PlatformRefusedError(
            redact(f"{label} refused (HTTP {status}): {message}".rstrip(": ")),
            status=status,
            platform_code=platform_code,
            hint=hint,
            code="connector-version-retired" if hint == VERSION_HINT else "connector-refused",
        )
    hints = {
        401: ("the connector's token is invalid or expired: store a fresh one", "connector-auth"),
        403: ("the connector's token lacks the permission for this call", "connector-forbidden"),
        404: (
            "the platform does not know this id: check the account's settings",
            "connector-not-found",
        ),
        426: (VERSION_HINT, "connector-version-retired"),
    }
    hint, code = hints.get(status, (None, "connector-refused"))
    text = f"{label} refused (HTTP {status})"
    if message:
        text += f": {message}"
    return PlatformRefusedError(
        redact(text), status=status, platform_code=platform_code, hint=hint, code=code
    )
