"""`leavers run` offboards people whose end date has passed; revocation plans serve review campaigns."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update

from accessguard.db import tables
from accessguard.inventory.records import get_person_record, grant_records
from accessguard.playbooks.builtin import builtin_plan, revocation_steps
from accessguard.playbooks.runner import run_plan
from support.offboarding import LEAVER, end_state, invoke_json, scim_active


def test_leavers_run(world) -> None:
    people = tables.people
    with world.app.begin() as s:
        for email, end_date in [(LEAVER, date(2026, 1, 1)), ("cat@example.com", date(2099, 1, 1))]:
            s.execute(update(people).where(people.c.email == email).values(end_date=end_date))
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
    grant = tables.grants.c
    with app.begin() as s:
        ann = get_person_record(s, LEAVER)
        ids = {g.account_id: g.id for g in grant_records(s, grant.person_id == ann.id)}
    chosen = [ids[1], ids[2], ids[3]]  # hoot seat, brand-fb admin, brand-x shared login
    statuses = _revoke(app, chosen, "review: not needed")
    assert set(statuses.values()) == {"changed", "unchanged"}, statuses
    assert statuses[f"end-grants/grant-{ids[3]}"] == "changed"
    assert statuses["sync-vault-groups/subject"] == "changed"
    assert not scim_active(world)
    assert LEAVER not in world.meta.business_emails()
    with app.begin() as s:
        grants = {g.id: g for g in grant_records(s, grant.id.in_(chosen))}
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
