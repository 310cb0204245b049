"""The TikTok connector's change feed (``changes_since``) against the documented-shape fake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accessguard.connectors.changefeed import change_feed
from accessguard.connectors.tiktok import TikTokConnector
from accessguard.errors import PermanentConnectorError
from accessguard.secret import Secret
from support.fake_tiktok import TikTokBusinessFake

WHEN = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
UNTIL = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def connector(fake: TikTokBusinessFake, http: Any, **settings: Any) -> TikTokConnector:
    return TikTokConnector(
        settings={"base_url": fake.url, "bc_id": fake.bc_id, **settings},
        secrets={"token": Secret(fake.token)},
        http=http,
    )


def test_entries_from_when_on_oldest_first_with_their_subjects(http) -> None:
    with TikTokBusinessFake() as fake:
        fake.logged("9", "USER", "Invited early@example.com", WHEN - timedelta(hours=13))
        fake.logged("9", "USER", "Invited same-day@example.com", WHEN - timedelta(hours=1))
        fake.logged("9", "ACCOUNT", "Assigned ADVERTISER Ads to Ann@Example.com.", WHEN)
        fake.logged("9", "USER", "Invited later@example.com", WHEN + timedelta(days=1))
        changes = connector(fake, http).changes_since(WHEN, until=UNTIL)
        assert [(c.occurred_at, c.kind, c.subjects) for c in changes] == [
            (WHEN, "ACCOUNT", ("ann@example.com",)),
            (WHEN + timedelta(days=1), "USER", ("later@example.com",)),
        ]
        assert {c.actor for c in changes} == {"9"}


def test_more_entries_than_one_page_are_all_read(http) -> None:
    with TikTokBusinessFake() as fake:
        for n in range(120):  # /changelog/get/ pages hold at most 50
            fake.logged("9", "ASSET", f"Created pixel {n}", WHEN + timedelta(minutes=n))
        changes = connector(fake, http).changes_since(WHEN, until=UNTIL)
        assert [c.summary for c in changes] == [f"Created pixel {n}" for n in range(120)]


def test_an_entry_with_an_unreadable_time_is_a_clear_error(http) -> None:
    with TikTokBusinessFake() as fake:
        fake.logged("9", "USER", "Invited x@example.com", WHEN)
        fake.log[0]["time"] = "2026-12-01T12:00:00Z"
        with pytest.raises(
            PermanentConnectorError, match="'2026-12-01T12:00:00Z' is not YYYY-MM-DD"
        ):
            connector(fake, http).changes_since(WHEN, until=UNTIL)


def test_the_feed_is_on_unless_the_account_turns_it_off(http) -> None:
    with TikTokBusinessFake() as fake:
        assert change_feed(connector(fake, http)) is not None
        assert change_feed(connector(fake, http, activity_log=False)) is None


class MaintenancePage(TikTokBusinessFake):
    """Every answer is a 200 with an HTML page (a proxy in front of the API)."""

    def route(self, request: Any) -> Any:
        from support.fake_http import Reply

        return Reply(200, "<html><body>Down for maintenance</body></html>")


def test_an_html_answer_is_a_clear_error_on_every_call(http) -> None:
    from accessguard.connectors.base import Target

    with MaintenancePage() as fake:
        conn = connector(fake, http)
        calls = [
            conn.check,
            conn.list_holders,
            lambda: conn.revoke(Target(email="ann@example.com")),
            lambda: conn.changes_since(WHEN, until=UNTIL),
        ]
        for call in calls:
            with pytest.raises(PermanentConnectorError) as caught:
                call()
            assert caught.value.code == "connector-bad-answer"
            assert fake.token not in caught.value.message
