"""The change feed's window and how a change explains a drift item (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from accessguard.connectors.base import Holder
from accessguard.connectors.changefeed import Change
from accessguard.reconcile.feed import FIRST_READ, LATE_ENTRIES, explain, is_about, read_from

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def change(summary: str, *, subjects: tuple[str, ...] = (), actor: str | None = "11") -> Change:
    return Change(NOW - timedelta(hours=1), "USER", summary, actor, subjects)


def test_the_first_read_covers_the_first_read_window() -> None:
    assert read_from(None, NOW) == NOW - FIRST_READ


def test_a_later_read_starts_before_the_cursor_for_late_entries() -> None:
    cursor = NOW - timedelta(hours=6)
    assert read_from(cursor, NOW) == cursor - LATE_ENTRIES


def test_a_cursor_in_the_future_does_not_skip_the_present() -> None:
    assert read_from(NOW + timedelta(days=30), NOW) == NOW - LATE_ENTRIES


def test_a_subject_matches_by_email() -> None:
    assert is_about(change("something", subjects=("Ann@Example.com",)), {"ann@example.com"})


def test_a_name_in_the_text_matches_as_a_whole_word() -> None:
    assert is_about(change("Removed Annabel from the pixel"), {"annabel"})


def test_a_name_inside_another_word_does_not_match() -> None:
    assert not is_about(change("Announcement settings changed"), {"ann"})


def test_an_email_does_not_match_a_longer_email() -> None:
    assert not is_about(change("Invited joann@example.com"), {"ann@example.com"})


def test_an_email_does_not_match_inside_a_longer_domain() -> None:
    assert not is_about(change("Invited ann@example.com.au today"), {"ann@example.com"})


def test_an_email_at_the_end_of_a_sentence_matches() -> None:
    assert is_about(change("Removed ann@example.com."), {"ann@example.com"})


def test_a_short_key_never_matches_text() -> None:
    assert not is_about(change("Added ab to the catalog"), {"ab"})


def test_explain_lists_the_changes_about_the_drift_with_the_actor_named() -> None:
    holders = [Holder("11", email="bob@example.com")]
    item = {"email": "carol@outside.example", "platform_id": "77", "name": "Carol"}
    changes = [
        change("Invited carol@outside.example", subjects=("carol@outside.example",)),
        change("Renamed the Business Center"),
        change("Assigned PIXEL Site to Carol as ADMIN"),
    ]
    explained = explain(item, changes, holders)
    assert [c["summary"] for c in explained] == [
        "Invited carol@outside.example",
        "Assigned PIXEL Site to Carol as ADMIN",
    ]
    assert {c["actor_name"] for c in explained} == {"bob@example.com"}


def test_a_fingerprint_tells_entries_apart_and_recognises_a_reread() -> None:
    first, other = change("Invited a@example.com"), change("Invited b@example.com")
    assert first.fingerprint == change("Invited a@example.com").fingerprint
    assert first.fingerprint != other.fingerprint
