"""`leavers run` offboards people whose end date has passed; revoke_grants serves review campaigns."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from accessguard.db import tables
from accessguard.inventory.lookup import get_person
from accessguard.inventory.models import Grant
from accessguard.playbooks.revocation import revoke_grants
from accessguard.results import Outcome
from support.offboarding import LEAVER, end_state, invoke_json, scim_active


def test_leavers_run(world) -> None:
    with world.app.transaction() as s:
        get_person(s, LEAVER).end_date = date(2026, 1, 1)
        get_person(s, "cat@example.com").end_date = date(2099, 1, 1)
    before = end_state(world)
    code, out = invoke_json(world.app, "leavers", "run", "--dry-run")
    assert code == 0 and [r["person"] for r in out["leavers"]] == [LEAVER]
    assert out["leavers"][0]["status"] == "planned"
    assert end_state(world) == before
    code, out = invoke_json(world.app, "leavers", "run")
    assert code == 5 and out["leavers"][0]["status"] == "waiting"
    assert not scim_active(world)
    code, out = invoke_json(world.app, "leavers", "run")
    assert code == 0 and out["leavers"] == []


def test_revoke_grants_for_reviews(world) -> None:
    app = world.app
    with app.transaction() as s:
        ann = get_person(s, LEAVER)
        ids = {
            g.account_id: g.id
            for g in s.execute(select(Grant).where(Grant.person_id == ann.id)).scalars()
        }
    chosen = [ids[1], ids[2], ids[3]]  # hoot seat, brand-fb admin, brand-x shared login
    results = revoke_grants(app, chosen, reason="review: not needed", actor="reviewer@example.com")
    assert [r.outcome for r in results] == [Outcome.CHANGED] * 3, [r.message for r in results]
    assert not scim_active(world)
    assert LEAVER not in world.meta.business_emails()
    with app.transaction() as s:
        grants = {g.id: g for g in s.execute(select(Grant).where(Grant.id.in_(chosen))).scalars()}
        assert all(
            g.revoke_reason == "review: not needed" and g.revoked_by == "reviewer@example.com"
            for g in grants.values()
        )
        memberships = tables.vault_memberships.c
        open_rows = s.execute(
            select(memberships.account_id).where(
                memberships.person_id == ann.id, memberships.removed_at.is_(None)
            )
        ).all()
        assert [m.account_id for m in open_rows] == [4]  # still brand-yt, no longer brand-x
    again = revoke_grants(app, chosen, reason="review: not needed", actor="reviewer@example.com")
    assert [r.outcome for r in again] == [Outcome.UNCHANGED] * 3
