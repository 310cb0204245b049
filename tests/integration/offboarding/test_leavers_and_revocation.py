"""`leavers run` offboards people whose end date has passed; revocation plans serve review campaigns."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from accessguard.db import tables
from accessguard.inventory.lookup import get_person
from accessguard.inventory.models import Grant
from accessguard.playbooks.builtin import builtin_plan, revocation_steps
from accessguard.playbooks.runner import run_plan
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


def _revoke(app, grant_ids: list[int], reason: str) -> dict[str, str]:
    """Run the revocation steps a review close uses; each grant's platform and inventory outcome."""
    with app.begin() as conn:
        steps = revocation_steps(conn, grant_ids, reason=reason)
    subject = {
        "email": "review-test",
        "name": "a review",
        "kind": "review-campaign",
        "status": "open",
    }
    report = run_plan(app, builtin_plan("review-close", subject, steps), allow_unfinished=True)
    with app.begin() as conn:
        from accessguard.playbooks.state import run_items

        return {f"{i.step_id}/{i.item_id}": i.status for i in run_items(conn, report.run_id)}


def test_revocation_plan_for_reviews(world) -> None:
    app = world.app
    with app.transaction() as s:
        ann = get_person(s, LEAVER)
        ids = {
            g.account_id: g.id
            for g in s.execute(select(Grant).where(Grant.person_id == ann.id)).scalars()
        }
    chosen = [ids[1], ids[2], ids[3]]  # hoot seat, brand-fb admin, brand-x shared login
    statuses = _revoke(app, chosen, "review: not needed")
    assert set(statuses.values()) == {"changed", "unchanged"}, statuses
    assert statuses[f"end-grants/grant-{ids[3]}"] == "changed"
    assert statuses["sync-vault-groups/subject"] == "changed"
    assert not scim_active(world)
    assert LEAVER not in world.meta.business_emails()
    with app.transaction() as s:
        grants = {g.id: g for g in s.execute(select(Grant).where(Grant.id.in_(chosen))).scalars()}
        assert all(
            g.revoke_reason == "review: not needed" and g.revoked_by == app.actor
            for g in grants.values()
        )
        memberships = tables.vault_memberships.c
        open_rows = s.execute(
            select(memberships.account_id).where(
                memberships.person_id == ann.id, memberships.removed_at.is_(None)
            )
        ).all()
        assert [m.account_id for m in open_rows] == [4]  # still brand-yt, no longer brand-x
    again = _revoke(app, chosen, "review: not needed")
    assert set(again.values()) == {"unchanged"}, again
