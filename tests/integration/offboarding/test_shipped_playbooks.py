"""The `immediate` and `contractor` playbooks, end to end: same closed state, their own order."""

from __future__ import annotations

import json

import pytest

from support.offboarding import LEAVER, end_state, invoke, scim_active, token_works, vault_versions

REASONS = {"immediate": "offboarding: dismissal", "contractor": "offboarding: engagement ended"}


@pytest.mark.parametrize("playbook", ["immediate", "contractor"])
def test_shipped_playbook_closes_every_access(world, playbook: str) -> None:
    result = invoke(world.app, "offboard", LEAVER, "--playbook", playbook, "--yes", "--json")
    run = json.loads(result.stdout)["run"]
    assert result.exit_code == 5, run  # only manual steps left
    assert not scim_active(world)
    assert LEAVER not in world.meta.business_emails()
    assert not token_works(world)
    assert vault_versions(world) == {"brand-x": 2, "brand-yt": 2}
    grants = [g for g in end_state(world)["grants"] if g[0] == LEAVER]
    assert grants and all(g[4] and g[5] == REASONS[playbook] and g[6] for g in grants)
    steps = {s["id"]: s for s in run["steps"]}
    if playbook == "immediate":
        # Dismissal for cause: Vault is cut before anything else happens.
        assert run["steps"][0]["id"] == "revoke-vault-access"
        assert steps["revoke-vault-access"]["status"] == "done"
        assert [i["status"] for i in steps["revoke-vault-access"]["items"]] == ["changed"]
    else:
        # Ann is an employee: the agency-only confirmation is skipped, not waiting.
        assert steps["agency-confirmation"]["status"] == "skipped"
        assert steps["agency-confirmation"]["items"] == []
    again = invoke(
        world.app,
        "offboard",
        LEAVER,
        "--playbook",
        playbook,
        "--yes",
        "--allow-unfinished",  # beside the first run, which waits for manual steps
        "--json",
    )
    assert again.exit_code in (0, 5), again.stderr
    assert vault_versions(world) == {"brand-x": 2, "brand-yt": 2}  # nothing rotated twice
