"""A platform answering something that is not JSON (an HTML page behind a 200, a proxy's
maintenance page) gives one clear error, ``connector-bad-answer``, from every connector that
reads JSON: never a parser's traceback reaching the user as "unexpected"."""

from __future__ import annotations

from typing import Any

import pytest

from accessguard.connectors.base import Connector, Target
from accessguard.connectors.registry import available
from accessguard.errors import PermanentConnectorError
from accessguard.secret import Secret
from support.fake_http import FakeServer, Reply, Request

#: The required settings of each JSON connector (``base_url`` is the fake's).
SETTINGS: dict[str, dict[str, Any]] = {
    "scim": {},
    "meta": {"business_id": "1234"},
    "pinterest": {"business_id": "1234"},
    "google_business_profile": {"account_id": "1234"},
    "google_workspace": {},
    "google_ads": {"customer_id": "123-456-7890"},
    "google_merchant": {"account_id": "1234"},
    "linkedin": {"organization_id": "1234"},
    "reddit": {"subreddit": "brand"},
    "tiktok": {"bc_id": "1234"},
    "okta": {},
}
#: Connectors whose revoke is a manual step (no platform call).
READ_ONLY = frozenset({"google_workspace"})
SECRETS = {"token": Secret("t-0123456789"), "developer_token": Secret("d-0123456789")}


class MaintenancePage(FakeServer):
    """Every answer is a 200 with an HTML page."""

    def route(self, request: Request) -> Reply:
        return Reply(200, "<html><body>Down for maintenance</body></html>")


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_an_html_answer_is_a_clear_connector_error(name: str, http: Any) -> None:
    with MaintenancePage() as fake:
        cls = available()[name]
        settings = {**SETTINGS[name], "base_url": fake.url}
        connector: Connector = cls(settings=settings, secrets=SECRETS, http=http)
        reads = [connector.check] + ([connector.list_holders] if cls.can_list else [])
        for read in reads:
            with pytest.raises(PermanentConnectorError) as caught:
                read()
            assert caught.value.code == "connector-bad-answer"
            assert "not JSON" in caught.value.message
            assert "t-0123456789" not in caught.value.message
        if name in READ_ONLY:
            return
        with pytest.raises(PermanentConnectorError) as revoking:
            connector.revoke(Target(email="ann@example.com"))
        assert revoking.value.code == "connector-bad-answer"
