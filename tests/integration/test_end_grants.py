"""Ending grants set-based: each ended once, audited once, loaded objects read as revoked."""

from __future__ import annotations

from sqlalchemy import select

from accessguard.app import App
from accessguard.audit.chain import verify
from accessguard.audit.models import AuditEvent
from accessguard.inventory.accounts import AccountInput, add_account
from accessguard.inventory.grants import add_grant, end_grants
from accessguard.inventory.models import Grant
from accessguard.inventory.people import PersonInput, add_person
from accessguard.inventory.records import end_grant_ids


def _grants(app: App, n: int) -> list[int]:
    with app.transaction() as session:
        add_person(session, app.clock, "t", PersonInput("lee@example.com", "Lee"))
        ids = []
        for i in range(n):
            add_account(session, app.clock, "t", AccountInput(f"acct-{i}", "x", f"@h{i}"))
            grant = add_grant(
                session,
                app.clock,
                "t",
                person_email="lee@example.com",
                account_ref=f"acct-{i}",
                role="editor",
                via="shared-login",
            )
            ids.append(grant.id)
    return ids


def _revokes(app: App) -> list[AuditEvent]:
    with app.transaction() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "grant.revoke")))


def test_each_grant_is_ended_and_audited_once(app: App) -> None:
    ids = _grants(app, 5)
    with app.transaction() as session:
        ended = end_grant_ids(
            session, app.clock, "op", [ids[0], ids[1], ids[1], ids[2]], reason="left", run_id="r1"
        )
    assert set(ended) == {ids[0], ids[1], ids[2]}
    with app.transaction() as session:
        again = end_grant_ids(session, app.clock, "op", ids, reason="again")
        rows = {g.id: g for g in session.scalars(select(Grant))}
    assert set(again) == {ids[3], ids[4]}  # the first three were ended already
    assert rows[ids[0]].revoke_reason == "left" and rows[ids[0]].revoked_run_id == "r1"
    assert rows[ids[4]].revoke_reason == "again" and rows[ids[4]].revoked_by == "op"
    events = _revokes(app)
    assert sorted(e.details["grant_id"] for e in events) == sorted(ids)
    assert events[0].target == "lee@example.com@acct-0"
    with app.transaction() as session:
        assert verify(session).ok


def test_loaded_grants_read_as_revoked_and_a_second_call_changes_nothing(app: App) -> None:
    ids = _grants(app, 3)
    with app.transaction() as session:
        grants = list(session.scalars(select(Grant).order_by(Grant.id)))
        assert end_grants(session, app.clock, "op", grants, reason="left") == [True] * 3
        assert all(g.revoked_at is not None and g.revoked_by == "op" for g in grants)
        assert not session.dirty  # nothing left to write at commit
        assert end_grants(session, app.clock, "op", grants, reason="left") == [False] * 3
    assert len(_revokes(app)) == len(ids)
