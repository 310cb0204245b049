"""Ending grants set-based: each ended once, audited once; a second call changes nothing."""

from __future__ import annotations

from accessguard.app import App
from accessguard.audit.chain import EventRecord, find_events, verify
from accessguard.db.tables import grants
from accessguard.inventory.accounts import AccountInput, add_account
from accessguard.inventory.grants import add_grant, end_grants
from accessguard.inventory.people import PersonInput, add_person
from accessguard.inventory.records import GrantRecord, end_grant_ids, grant_records


def _grants(app: App, n: int) -> list[int]:
    with app.begin() as conn:
        add_person(conn, app.clock, "t", PersonInput("lee@example.com", "Lee"))
        ids = []
        for i in range(n):
            add_account(conn, app.clock, "t", AccountInput(f"acct-{i}", "x", f"@h{i}"))
            grant = add_grant(
                conn,
                app.clock,
                "t",
                person_email="lee@example.com",
                account_ref=f"acct-{i}",
                role="editor",
                via="shared-login",
            )
            ids.append(grant.id)
    return ids


def _revokes(app: App) -> list[EventRecord]:
    with app.begin() as conn:
        return find_events(conn, action="grant.revoke")


def _all_grants(app: App) -> list[GrantRecord]:
    with app.begin() as conn:
        return grant_records(conn, grants.c.id.isnot(None))


def test_each_grant_is_ended_and_audited_once(app: App) -> None:
    ids = _grants(app, 5)
    with app.begin() as conn:
        ended = end_grant_ids(
            conn, app.clock, "op", [ids[0], ids[1], ids[1], ids[2]], reason="left", run_id="r1"
        )
    assert set(ended) == {ids[0], ids[1], ids[2]}
    with app.begin() as conn:
        again = end_grant_ids(conn, app.clock, "op", ids, reason="again")
    rows = {g.id: g for g in _all_grants(app)}
    assert set(again) == {ids[3], ids[4]}  # the first three were ended already
    assert rows[ids[0]].revoke_reason == "left" and rows[ids[0]].revoked_run_id == "r1"
    assert rows[ids[4]].revoke_reason == "again" and rows[ids[4]].revoked_by == "op"
    events = _revokes(app)
    assert sorted(e.details["grant_id"] for e in events) == sorted(ids)
    assert events[0].target == "lee@example.com@acct-0"
    with app.begin() as conn:
        assert verify(conn).ok


def test_end_grants_says_which_it_ended_and_a_second_call_changes_nothing(app: App) -> None:
    ids = _grants(app, 3)
    loaded = _all_grants(app)
    with app.begin() as conn:
        assert end_grants(conn, app.clock, "op", loaded[:2], reason="left") == [True, True]
        assert end_grants(conn, app.clock, "op", loaded, reason="left") == [False, False, True]
    assert [g.revoked_by for g in _all_grants(app)] == ["op"] * 3
    assert len(_revokes(app)) == len(ids)
