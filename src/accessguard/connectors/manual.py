"""Platforms without an access API: a checklist step with exact instructions that waits.

X and YouTube Brand Accounts have no delegation API, Sprout Social none we can call,
and LinkedIn's page-role delete is unconfirmed. The engine's ``revoke-access`` action
(``playbooks/actions/platform.py``) uses ``ManualConnector`` for every account with no
API connector, so the run's item waits with that platform's checklist
(``manual_result``); an admin then does the steps and confirms the item with evidence
(`runs confirm`: a note, a ticket, a screenshot's hash).
"""

from __future__ import annotations

from typing import ClassVar

from accessguard.connectors.base import Connector, Holder, Target
from accessguard.errors import PermanentConnectorError
from accessguard.results import ActionResult

_STEPS: dict[str, tuple[str, ...]] = {
    "x": (
        "Sign in to https://x.com as @{handle} with the shared login held in Vault.",
        "Settings and privacy > Your account > Delegate (or Teams): remove {who} if listed.",
        "Rotate the password and the 2FA seed (`accessguard creds rotate {account}`), since "
        "{who} may know the shared login.",
        "Settings and privacy > Security and account access > Apps and sessions: log out every "
        "other session and revoke connected apps you do not recognise.",
    ),
    "youtube": (
        "Sign in to https://myaccount.google.com/brandaccounts as an owner of the channel "
        "{handle}; open it and choose Manage permissions.",
        "Remove {who}; if they are the primary owner, transfer primary ownership first "
        "(Google applies it after 7 days).",
        "In YouTube Studio > Settings > Permissions, remove {who} as well.",
        "If {who} knew a shared login for the channel, rotate it (`accessguard creds rotate "
        "{account}`).",
    ),
    "sprout-social": (
        "Sign in to https://app.sproutsocial.com as an account owner.",
        "Account settings > Users & Teams > Users: open {who} and choose Deactivate User.",
        "Reassign their scheduled posts, tasks and drafts to a remaining user when asked.",
        "Check Settings > Profiles that {handle} still has a connected owner.",
    ),
    "linkedin": (
        "Sign in to https://www.linkedin.com/company/{handle}/admin/ as a super admin.",
        "Settings > Manage admins: on the Page admins and the Paid media admins tabs, delete "
        "every role held by {who}.",
        "Make sure at least one other super admin remains.",
    ),
}
_GENERIC = (
    "Sign in to {platform} as an administrator of {handle}.",
    "Open the account's users, roles or team settings and remove {who}.",
    "If {who} knew a shared login for the account, rotate it (`accessguard creds rotate {account}`).",
)
_CONFIRM = "Then confirm this step with evidence: a note, a ticket id or a screenshot's hash."


def instructions_for(
    platform: str, *, handle: str, target: Target, account: str | None = None
) -> str:
    """Numbered, exact instructions to remove ``target`` from an account on ``platform``."""
    who = f"{target.name} <{target.email}>" if target.name else target.email
    steps = _STEPS.get(platform, _GENERIC)
    values = {"handle": handle, "who": who, "account": account or handle, "platform": platform}
    lines = [f"{n}. {step.format(**values)}" for n, step in enumerate(steps, start=1)]
    return "\n".join([*lines, _CONFIRM])


def manual_result(
    platform: str, *, handle: str, target: Target, account: str | None = None
) -> ActionResult:
    """The WAITING result for removing ``target`` by hand."""
    return ActionResult.waiting(
        f"remove {target.email} from {platform} account {handle} by hand",
        instructions_for(platform, handle=handle, target=target, account=account),
        platform=platform,
        manual=True,
    )


class ManualConnector(Connector):
    """No API: ``revoke`` returns the manual checklist step (and never acts)."""

    name: ClassVar[str] = "manual"
    can_list: ClassVar[bool] = False
    can_revoke: ClassVar[bool] = False
    summary: ClassVar[str] = (
        "no API: a checklist step with exact instructions (X, YouTube, Sprout Social)"
    )

    def list_holders(self) -> list[Holder]:
        """Not possible without an API."""
        raise PermanentConnectorError(
            "manual accounts cannot list who holds access", code="connector-cannot-list"
        )

    def revoke(self, target: Target) -> ActionResult:
        """The checklist step for this account's platform."""
        platform = self.account.platform if self.account else str(self.settings.get("platform", ""))
        handle = self.account.handle if self.account else str(self.settings.get("handle", ""))
        name = self.account.name if self.account else None
        return manual_result(platform or "the platform", handle=handle, target=target, account=name)

    def check(self) -> ActionResult:
        """Nothing to check."""
        return ActionResult.unchanged("manual: no credentials to check")
