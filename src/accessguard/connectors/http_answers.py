"""Reading a platform's answer: its own error message and how long it asks us to wait.

Used by the HTTP layer (``http.py``) on every answer it does not accept: the message is
redacted and clipped before it can reach an error or a log; the wait comes from
``Retry-After``, the ``X-RateLimit-Reset`` family and Meta's ``X-Business-Use-Case-Usage``.
"""

from __future__ import annotations

import contextlib
import json
import time
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from accessguard.secret import redact

_MAX_MESSAGE = 300


def platform_message(response: requests.Response) -> tuple[str, str | None]:
    """The platform's own error message and code from common error envelopes (redacted)."""
    try:
        body: Any = response.json()
    except ValueError:
        text = (response.text or "").strip().splitlines()
        return _clip(text[0] if text else response.reason or ""), None
    message, code = _from_envelope(body)
    return _clip(message or response.reason or ""), code


def _from_envelope(body: Any) -> tuple[str, str | None]:
    if not isinstance(body, dict):
        return str(body), None
    error = body.get("error")
    if isinstance(error, dict):  # Graph API and Google: {"error": {"message", "code", ...}}
        parts = [str(error.get("message", ""))]
        extra = [
            f"{key} {error[key]}"
            for key in ("type", "status", "code", "error_subcode", "fbtrace_id")
            if error.get(key) not in (None, "")
        ]
        if extra:
            parts.append(f"({', '.join(extra)})")
        code = error.get("code")
        subcode = error.get("error_subcode")
        joined = f"{code}/{subcode}" if subcode is not None else code
        return " ".join(p for p in parts if p), None if joined is None else str(joined)
    if "errorSummary" in body:  # Okta
        return str(body["errorSummary"]), str(body.get("errorCode") or "") or None
    if "errorMessages" in body or isinstance(body.get("errors"), dict):  # Jira
        messages = [str(m) for m in body.get("errorMessages") or []]
        messages += [f"{k}: {v}" for k, v in (body.get("errors") or {}).items()]
        return "; ".join(messages), None
    if isinstance(body.get("errors"), list) and body["errors"]:
        first = body["errors"][0]
        return str(first.get("message", first) if isinstance(first, dict) else first), None
    for key in ("detail", "message", "error_description", "msg", "error"):
        if body.get(key):
            code = body.get("code", body.get("scimType"))
            return str(body[key]), None if code is None else str(code)
    return json.dumps(body)[:_MAX_MESSAGE], None


def _clip(text: str) -> str:
    text = redact(" ".join(text.split()))
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def requested_delay(response: requests.Response, *, now: float | None = None) -> float | None:
    """Seconds the platform asks us to wait: ``Retry-After`` or rate-limit headers."""
    now = time.time() if now is None else now
    headers = response.headers
    delays: list[float] = []
    if value := headers.get("Retry-After"):
        try:
            delays.append(float(value))
        except ValueError:
            with contextlib.suppress(TypeError, ValueError):
                delays.append(parsedate_to_datetime(value).timestamp() - now)
    for name in ("X-RateLimit-Reset", "X-Rate-Limit-Reset"):
        if value := headers.get(name):
            try:
                reset = float(value)
            except ValueError:
                continue
            # Epoch seconds (Okta, GitHub) or seconds from now (Reddit).
            delays.append(reset - now if reset > 1_000_000_000 else reset)
    if value := headers.get("X-Business-Use-Case-Usage"):
        delays.extend(_business_use_case_wait(value))
    return max((max(d, 0.0) for d in delays), default=None)


def _business_use_case_wait(value: str) -> list[float]:
    """Meta's header: {business_id: [{"estimated_time_to_regain_access": minutes, ...}]}."""
    try:
        usage = json.loads(value)
    except ValueError:
        return []
    waits: list[float] = []
    if isinstance(usage, dict):
        for entries in usage.values():
            for entry in entries if isinstance(entries, list) else []:
                minutes = (
                    entry.get("estimated_time_to_regain_access")
                    if isinstance(entry, dict)
                    else None
                )
                if isinstance(minutes, int | float) and minutes > 0:
                    waits.append(float(minutes) * 60)
    return waits
