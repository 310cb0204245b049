"""How Google's REST APIs (Google Ads, Merchant API) say a call failed, read once for both connectors.

Google answers errors as ``{"error": {"code", "message", "status", "details": [...]}}``.
Google Ads puts its own reasons in a ``GoogleAdsFailure`` detail (``errors[].errorCode``,
e.g. ``{"customerUserAccessError": "LAST_ADMIN_USER_OF_SERVING_CUSTOMER"}``, and a
message per error); other APIs add a ``google.rpc.ErrorInfo`` detail with a ``reason``.
A retired API version shows either as Google Ads' ``requestError: UNSUPPORTED_VERSION``
or, once the version's paths are gone, as a plain (not JSON) 404 page: both get
``VERSION_HINT``, which names the ``api_version`` setting.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from accessguard.connectors.http import TRANSIENT_STATUSES, VERSION_HINT, Verdict
from accessguard.connectors.http_answers import requested_delay
from accessguard.secret import redact

if TYPE_CHECKING:
    import requests

    from accessguard.connectors.http import Inspector

#: Google Ads' reason for a request to a version it no longer serves.
UNSUPPORTED_VERSION = "requestError.UNSUPPORTED_VERSION"
_MAX = 300


@dataclass(frozen=True)
class Refusal:
    """What to tell the admin when Google gives one of these reasons."""

    message: str
    hint: str | None = None


def google_error(response: requests.Response) -> dict[str, Any] | None:
    """The ``error`` object of a Google error answer, or None (not JSON, or no envelope)."""
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def reasons(error: Mapping[str, Any]) -> list[str]:
    """Google's machine-readable reasons: ``kindError.VALUE`` (Google Ads) or ErrorInfo reasons."""
    found: list[str] = []
    for detail in error.get("details") or []:
        if not isinstance(detail, dict):
            continue
        for ads_error in detail.get("errors") or []:
            code = ads_error.get("errorCode") if isinstance(ads_error, dict) else None
            if isinstance(code, dict):
                found.extend(f"{kind}.{value}" for kind, value in code.items())
        if isinstance(detail.get("reason"), str):
            found.append(str(detail["reason"]))
    return found


def _messages(error: Mapping[str, Any]) -> str:
    """The envelope's message, then each Google Ads error's own (more specific) message."""
    parts = [str(error.get("message") or "").strip()]
    for detail in error.get("details") or []:
        for ads_error in detail.get("errors") or [] if isinstance(detail, dict) else []:
            if isinstance(ads_error, dict) and ads_error.get("message"):
                parts.append(str(ads_error["message"]).strip())
    text = " ".join(p for p in parts if p)
    if error.get("status"):
        text += f" ({error['status']})"
    text = redact(" ".join(text.split()))
    return text if len(text) <= _MAX else text[: _MAX - 1] + "…"


def version_retired(response: requests.Response, error: Mapping[str, Any] | None) -> bool:
    """Whether the answer says the API version in the path is not served (any more)."""
    if error is None:
        return response.status_code == 404  # Google's HTML "requested URL was not found" page
    return UNSUPPORTED_VERSION in reasons(error)


def inspector(refusals: Mapping[str, Refusal], *, allow: Collection[int] = ()) -> Inspector:
    """An ``HttpClient`` inspector for a Google API: retired versions, known reasons, clear text.

    ``refusals`` maps a reason (``customerUserAccessError.LAST_ADMIN_USER_OF_MANAGER``)
    to what the admin is told. Other errors keep http.py's usual hints (401, 403...),
    with Google's own messages; 429 and 5xx stay transient. A JSON error answer with a
    status in ``allow`` is left to the caller (a 404 on a delete: already gone).
    """

    def verdict(response: requests.Response) -> Verdict | None:
        if response.ok:
            return None
        error = google_error(response)
        if version_retired(response, error):
            text = _messages(error) if error else f"no such path {urlsplit(response.url).path}"
            return Verdict(False, redact(text), "version-retired", hint=VERSION_HINT)
        if error is None or response.status_code in allow:
            return None
        found = reasons(error)
        code = found[0] if found else str(error.get("status") or error.get("code") or "")
        for reason in found:
            if reason in refusals:
                known = refusals[reason]
                return Verdict(False, f"{known.message} ({reason})", reason, hint=known.hint)
        if response.status_code in TRANSIENT_STATUSES:
            return Verdict(True, _messages(error), code or None, requested_delay(response))
        return Verdict(False, _messages(error), code or None)

    return verdict
