"""Webhook, Slack and Jira notifiers against local receivers; the manual checklist."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from accessguard.connectors.base import AccountRef, Target
from accessguard.connectors.http import PlatformRefusedError
from accessguard.connectors.jira import JiraTicketer
from accessguard.connectors.manual import ManualConnector, manual_result
from accessguard.connectors.slack import SlackNotifier
from accessguard.connectors.webhook import WebhookNotifier
from accessguard.results import Outcome
from accessguard.secret import Secret
from support.fake_notifiers import JiraFake, WebhookSink


def test_webhook_posts_a_signed_event(http) -> None:
    with WebhookSink() as sink:
        hook = WebhookNotifier(
            settings={},
            secrets={"url": Secret(f"{sink.url}/hooks/it"), "hmac_key": Secret("hook-key-1")},
            http=http,
        )
        result = hook.notify(
            "Offboarding", "Ann leaves today", details={"run": "r1"}, key="r1:notify:subject"
        )
        assert result.outcome is Outcome.CHANGED
        [request] = sink.received
        assert request.header("idempotency-key") == "r1:notify:subject"
        assert request.json() == {
            "event": "accessguard.notification",
            "subject": "Offboarding",
            "text": "Ann leaves today",
            "details": {"run": "r1"},
        }
        expected = hmac.new(b"hook-key-1", request.body, hashlib.sha256).hexdigest()
        assert request.header("x-accessguard-signature") == f"sha256={expected}"


def test_webhook_as_account_connector_waits(http) -> None:
    with WebhookSink() as sink:
        hook = WebhookNotifier(
            settings={},
            secrets={"url": Secret(f"{sink.url}/x")},
            http=http,
            account=AccountRef("agency-portal", "other"),
        )
        result = hook.revoke(Target(email="ann@example.com", role="admin"))
        assert result.outcome is Outcome.WAITING
        assert "ann@example.com" in sink.received[0].json()["text"]


def test_slack_posts_and_errors_hide_the_webhook_url(http) -> None:
    with WebhookSink(slack=True) as slack:
        secret_url = f"{slack.url}/services/T000/B000/XXXXsecretXXXX"
        notifier = SlackNotifier(settings={}, secrets={"url": Secret(secret_url)}, http=http)
        assert (
            notifier.notify("Offboarding", "Ann leaves", details={"run": "r1"}).outcome
            is Outcome.CHANGED
        )
        body = slack.received[0].json()
        assert "Ann leaves" in body["text"] and "run: r1" in body["blocks"][0]["text"]["text"]
        slack.archived = True
        with pytest.raises(PlatformRefusedError) as info:
            notifier.notify("x", "y")
        assert "channel_is_archived" in str(info.value)
        assert "XXXXsecretXXXX" not in str(info.value) and "/services/" not in str(info.value)


def test_jira_opens_a_ticket(http) -> None:
    with JiraFake() as jira:
        settings = {
            "base_url": jira.url,
            "project_key": "IT",
            "email": "bot@example.com",
            "labels": ["access"],
        }
        ticketer = JiraTicketer(
            settings=settings, secrets={"token": Secret("jira-test-token")}, http=http
        )
        result = ticketer.open_ticket("Offboard Ann", "Remove every access", labels=["offboarding"])
        assert result.outcome is Outcome.CHANGED and result.details["key"] == "IT-1"
        assert result.details["link"] == f"{jira.url}/browse/IT-1"
        assert jira.issues[0]["labels"] == ["access", "offboarding"]
        assert ticketer.check().outcome is Outcome.UNCHANGED
        wrong = JiraTicketer(
            settings={**settings, "project_key": "NOPE"},
            secrets={"token": Secret("jira-test-token")},
            http=http,
        )
        with pytest.raises(PlatformRefusedError, match="project: valid project is required"):
            wrong.notify("s", "t")


@pytest.mark.parametrize("data_center", [False, True])
def test_jira_finds_the_ticket_it_opened_for_a_key(http, data_center: bool) -> None:
    with JiraFake(data_center=data_center) as jira:
        settings = {"base_url": jira.url, "project_key": "IT", "email": "bot@example.com"}
        ticketer = JiraTicketer(
            settings=settings, secrets={"token": Secret("jira-test-token")}, http=http
        )
        first = ticketer.open_ticket("Offboard Ann", "Remove", key="run-1:ticket:subject")
        again = ticketer.open_ticket("Offboard Ann", "Remove", key="run-1:ticket:subject")
        other = ticketer.notify("Offboard Bob", "Remove", key="run-2:ticket:subject")
        assert (first.outcome, again.outcome, other.outcome) == (
            Outcome.CHANGED,
            Outcome.UNCHANGED,
            Outcome.CHANGED,
        )
        assert first.details["key"] == again.details["key"] == "IT-1"
        assert other.details["key"] == "IT-2"
        assert [i["key"] for i in jira.issues] == ["IT-1", "IT-2"]
        assert all(label.startswith("accessguard-") for label in jira.issues[0]["labels"])
        assert jira.issues[0]["labels"] != jira.issues[1]["labels"]


def test_jira_search_reconciles_the_issue_it_just_opened(http) -> None:
    """Jira Cloud's search lags: the issue opened a moment ago is found by reconcileIssues."""
    with JiraFake(index_lag=True) as jira:
        settings = {"base_url": jira.url, "project_key": "IT", "email": "bot@example.com"}

        def ticketer() -> JiraTicketer:
            return JiraTicketer(
                settings=settings, secrets={"token": Secret("jira-test-token")}, http=http
            )

        first = ticketer().open_ticket("Offboard Ann", "Remove", key="run-9:ticket:ann")
        # A retry of the same item (another connector instance in this process) before
        # the index caught up: without reconcileIssues it would open IT-2.
        again = ticketer().open_ticket("Offboard Ann", "Remove", key="run-9:ticket:ann")
        assert (first.outcome, again.outcome) == (Outcome.CHANGED, Outcome.UNCHANGED)
        assert [i["key"] for i in jira.issues] == ["IT-1"]
        search = [h for h in jira.hits if h.path.endswith("/search/jql")][-1]
        assert search.query_all["reconcileIssues"] == ["10001"]


def test_manual_instructions_per_platform() -> None:
    target = Target(email="ann@example.com", name="Ann Smith")
    x = manual_result("x", handle="northwind", target=target, account="northwind-x")
    assert x.outcome is Outcome.WAITING
    assert (
        "https://x.com" in x.instructions
        and "accessguard creds rotate northwind-x" in x.instructions
    )
    yt = manual_result("youtube", handle="Northwind", target=target)
    assert "brandaccounts" in yt.instructions and "Ann Smith <ann@example.com>" in yt.instructions
    sprout = manual_result("sprout-social", handle="northwind", target=target)
    assert "Deactivate User" in sprout.instructions
    generic = ManualConnector(
        settings={}, secrets={}, http=None, account=AccountRef("blog", "other", "blog.example.com")
    )
    result = generic.revoke(target)
    assert result.outcome is Outcome.WAITING and "blog.example.com" in result.instructions
    assert result.instructions.rstrip().endswith("screenshot's hash.")
    assert json.dumps(result.to_dict())
