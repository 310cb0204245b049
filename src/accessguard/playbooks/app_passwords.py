"""The run `creds confirm` starts once a shared login's new password is in force: its app
passwords revoked (``revoke-app-passwords``), for the platforms that have them (Bluesky).

A built-in plan (``builtin.py``) on the account (lock ``account:NAME``), so the
revocation goes through the engine like every other change: stored, guarded, listed by
`runs list`, resumable by `runs resume`.
"""

from __future__ import annotations

from sqlalchemy import Connection

from accessguard.playbooks.actions.app_passwords import PLATFORMS
from accessguard.playbooks.builtin import account_subject, builtin_plan, builtin_step
from accessguard.playbooks.plan import Plan, PlanItem
from accessguard.playbooks.sources import AccountParams

#: The step's id in the plan (and in `runs show`).
STEP_ID = "revoke-app-passwords"


def app_passwords_plan(session: Connection, account_ref: str) -> Plan | None:
    """The run revoking the account's app passwords, or None when its platform has none."""
    subject = account_subject(session, account_ref)
    if subject["status"] not in PLATFORMS:  # an account subject's status is its platform
        return None
    item = PlanItem(
        f"account-{subject['account_id']}",
        f"{subject['name']} ({subject['status']}): app passwords",
        AccountParams(account_id=int(subject["account_id"]), account=str(subject["name"])),
    )
    step = builtin_step(STEP_ID, "revoke-app-passwords", [item])
    return builtin_plan("creds-confirm", subject, [step])
