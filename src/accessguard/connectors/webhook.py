"""Generic webhook: POST a JSON event to a URL kept secret (in Vault or the keyring).

Secrets: ``url``; optional ``hmac_key`` (then ``X-AccessGuard-Signature: sha256=<hex>``
signs the body). The body is ``{"event", "subject", "text", "details"}``. A delivery that
a playbook item makes carries ``Idempotency-Key: RUN:STEP:ITEM``, the same when a resumed
run sends it again, so the receiver can drop the repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any, ClassVar

from accessguard.connectors.notify import Notifier
from accessguard.results import ActionResult


class WebhookNotifier(Notifier):
    """POST JSON events to a webhook."""

    name: ClassVar[str] = "webhook"
    secret_keys: ClassVar[tuple[str, ...]] = ("url", "hmac_key")
    summary: ClassVar[str] = "notify: POST a JSON event to a webhook (optionally HMAC-signed)"

    def notify(
        self,
        subject: str,
        text: str,
        *,
        details: Mapping[str, Any] | None = None,
        key: str | None = None,
    ) -> ActionResult:
        """POST the event (with ``Idempotency-Key`` when ``key`` is given); any 2xx is delivered."""
        body = json.dumps(
            {
                "event": "accessguard.notification",
                "subject": subject,
                "text": text,
                "details": dict(details or {}),
            },
            sort_keys=True,
            default=str,
        ).encode()
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        if self.secrets.get("hmac_key"):
            digest = hmac.new(self.secret("hmac_key").encode(), body, hashlib.sha256).hexdigest()
            headers["X-AccessGuard-Signature"] = f"sha256={digest}"
        url = self.secret("url")  # before the client: no HTTP imports when it is missing
        response = self.http.request(
            "POST",
            url,
            service=self.label,
            connector=self.name,
            what="webhook",
            headers=headers,
            data=body,
            idempotent=False,
            official_hosts=self.official_hosts,  # none: the host must be in allowed_hosts
        )
        return ActionResult.changed("webhook delivered", status=response.status_code)
