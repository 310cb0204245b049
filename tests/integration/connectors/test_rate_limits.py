"""The concurrent items of a run share a platform's limit: one bucket per business, per client.

Two accounts on one Meta business, revoked through one client (as a run's items are):
when Meta's ``X-Business-Use-Case-Usage`` says the business must wait, the next call of
*either* account waits that long before it is sent, instead of being refused.
"""

from __future__ import annotations

import json
import threading

from accessguard.connectors.meta import MetaConnector
from accessguard.secret import Secret
from support.fake_meta import MetaFake


def test_meta_business_pause_is_shared_by_every_account_of_the_business(http, sleeps) -> None:
    with MetaFake() as meta:
        meta.add_user("ann@example.com", page_tasks=["MANAGE"])
        settings = meta.settings()
        first = MetaConnector(settings=settings, secrets={"token": Secret(meta.token)}, http=http)
        second = MetaConnector(
            settings={**settings, "page_id": None, "instagram_asset_id": None},
            secrets={"token": Secret(meta.token)},
            http=http,
        )
        first.list_holders()
        assert sum(sleeps) == 0
        over = {
            meta.business_id: [
                {"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 2}
            ]
        }
        meta.usage_headers = {"X-Business-Use-Case-Usage": json.dumps(over)}
        first.check()  # this answer says: wait two minutes
        meta.usage_headers = {}
        sent_before = len(meta.hits)
        done = threading.Event()

        def other_account() -> None:
            second.check()
            done.set()

        worker = threading.Thread(target=other_account)
        worker.start()
        worker.join(10)
        assert done.is_set()
        assert any(delay >= 119.0 for delay in sleeps), list(sleeps)
        assert len(meta.hits) == sent_before + 1  # it waited, then sent once: no refusal
