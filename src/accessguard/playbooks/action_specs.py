"""The action catalogue: each action's name, arguments and ``for_each`` sources; the ``when`` keys.

Pure data, shared by the validator (which must not import the action code) and the
action registry (which binds each name to its implementation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accessguard.playbooks.sources import Source

#: Sources a step can iterate over, and the filters each accepts.
FOR_EACH_SOURCES: dict[str, tuple[str, ...]] = {
    Source.GRANTS.value: ("via", "platform", "role", "admin"),
    Source.EXPOSED_CREDENTIALS.value: ("platform",),
    Source.EXPOSED_FIELDS.value: ("platform", "field"),
    Source.EXPORTED_SEEDS.value: ("platform",),
    Source.HANDOVER_ACCOUNTS.value: ("platform",),
}

#: Keys a ``when`` mapping may test (all must hold for the step to run).
WHEN_KEYS: dict[str, str] = {
    "kind": "the subject's kind (employee, contractor, agency): one value or a list",
    "department": "the subject's department: one value or a list",
    "successor": "true when --successor was given, false when it was not",
    "status": "the subject's status when the plan was made: one value or a list",
}


@dataclass(frozen=True)
class ArgSpec:
    """One argument an action accepts."""

    kind: str = "str"  # str | bool | int | list | map
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class ActionSpec:
    """An action's name, arguments and the ``for_each`` sources it works on."""

    name: str
    summary: str
    args: dict[str, ArgSpec] = field(default_factory=dict)
    #: allowed sources; "" means the action runs once for the subject.
    for_each: tuple[str, ...] = ("",)
    #: a step using this action can change or remove access (asks for step-up).
    destructive: bool = False


_MESSAGE = ArgSpec("str", help="text; {person.email}, {person.name}, {run.id} are filled in")
_ONLY_IF_CHANGED = ArgSpec(
    "bool", help="skip when no other step of the run changed anything (default: true)"
)

SPECS: dict[str, ActionSpec] = {
    spec.name: spec
    for spec in (
        ActionSpec("mark-leaving", "Mark the subject leaving (end date today unless already set)."),
        ActionSpec("mark-departed", "Mark the subject departed once access is gone."),
        ActionSpec(
            "handover-check",
            "Check every account the subject owns or administers keeps a remaining admin or owner; hold removals on it until then.",
            for_each=("handover_accounts",),
        ),
        ActionSpec(
            "transfer-ownership",
            "Make the named inheritor the owner of each account the subject owns.",
            for_each=("handover_accounts",),
            destructive=True,
        ),
        ActionSpec(
            "revoke-access",
            "Remove a platform role or suite seat through the connector (manual step if none).",
            for_each=("grants",),
            destructive=True,
        ),
        ActionSpec(
            "end-grants",
            "End the subject's grants in the inventory, stamped with reason and run id.",
            args={"reason": ArgSpec("str", help="revoke reason (default: offboarding)")},
            for_each=("grants",),
            destructive=True,
        ),
        ActionSpec(
            "revoke-vault-access",
            "Remove the subject from Vault groups, disable the entity, revoke their tokens.",
            destructive=True,
        ),
        ActionSpec(
            "rotate-credential",
            "Rotate an exposed shared login (two-phase: Vault, platform change, confirm).",
            for_each=("exposed_credentials",),
            destructive=True,
        ),
        ActionSpec(
            "renew-field",
            "Renew backup codes or recovery details the subject saw: a manual step on the "
            "platform, done when Vault holds a new value.",
            for_each=("exposed_fields",),
        ),
        ActionSpec(
            "reenrol-totp",
            "Regenerate an exported 2FA seed in Vault; the operator enrols it on the platform.",
            for_each=("exported_seeds",),
            destructive=True,
        ),
        ActionSpec(
            "notify",
            "Send a message (Slack, webhook or email).",
            args={
                "channel": ArgSpec("str", required=True, choices=("slack", "webhook", "email")),
                "message": _MESSAGE,
                "to": ArgSpec("list", help="email recipients (channel: email)"),
                "subject": ArgSpec("str", help="subject line"),
                "target": ArgSpec(
                    "str", help="notifier name whose secrets to use (default: the channel)"
                ),
                "settings": ArgSpec("map", help="non-secret notifier settings"),
                "only_if_changed": _ONLY_IF_CHANGED,
            },
        ),
        ActionSpec(
            "open-ticket",
            "Open a ticket (Jira) for follow-up work.",
            args={
                "system": ArgSpec("str", choices=("jira",)),
                "summary": ArgSpec("str", required=True, help="ticket summary"),
                "description": _MESSAGE,
                "target": ArgSpec("str", help="notifier name whose secrets to use (default: jira)"),
                "settings": ArgSpec("map", help="Jira settings: base_url, project_key, email"),
                "only_if_changed": _ONLY_IF_CHANGED,
            },
        ),
        ActionSpec(
            "manual",
            "A task a person does by hand, confirmed with evidence.",
            args={
                "title": ArgSpec("str", required=True),
                "instructions": ArgSpec("str", required=True),
            },
            for_each=(
                "",
                "grants",
                "exposed_credentials",
                "exposed_fields",
                "exported_seeds",
                "handover_accounts",
            ),
        ),
        # Used by the built-in plans of `creds rotate`, `creds rollback` and `review close`.
        ActionSpec(
            "start-rotation",
            "Phase 1 of a shared login's rotation: a new pending version in Vault.",
            args={"reason": ArgSpec("str"), "idempotency_key": ArgSpec("str")},
            destructive=True,
        ),
        ActionSpec(
            "rollback-rotation",
            "Undo a pending rotation: the previous value comes back as a new version.",
            args={"reason": ArgSpec("str")},
            destructive=True,
        ),
        ActionSpec(
            "adopt-version",
            "Accept a shared login's Vault version written outside accessguard (reviewed).",
            args={"version": ArgSpec("int", required=True), "reason": ArgSpec("str")},
            destructive=True,
        ),
        ActionSpec(
            "sync-vault-groups",
            "Make Vault groups hold exactly the people with active shared-login grants.",
            destructive=True,
        ),
        ActionSpec(
            "revoke-app-passwords",
            "Revoke a shared login's app passwords (Bluesky) with its new password, once "
            "the rotation is confirmed; read back that none is left.",
            for_each=("exposed_credentials",),
            destructive=True,
        ),
    )
}
