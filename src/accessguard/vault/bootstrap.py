"""One-time set-up with an admin token: mounts, the tool policy, a policy and group per account.

Idempotent: a second run reports everything "unchanged".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from accessguard.errors import ConfigError
from accessguard.vault.facade import Vault
from accessguard.vault.policies import (
    account_policy_text,
    service_policy_text,
    stepup_enroll_policy_text,
    tool_policy_text,
)


@dataclass
class BootstrapReport:
    """What bootstrap changed, item by item (``"created"``/``"updated"``/``"unchanged"``)."""

    items: list[dict[str, str]] = field(default_factory=list)

    def add(self, kind: str, name: str, outcome: str) -> None:
        """Note one item."""
        self.items.append({"kind": kind, "name": name, "outcome": outcome})

    @property
    def changed(self) -> bool:
        """True if anything was created or updated."""
        return any(i["outcome"] != "unchanged" for i in self.items)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {"changed": self.changed, "items": list(self.items)}


def _mounts(vault: Vault, report: BootstrapReport) -> None:
    paths = vault.paths
    mounts = vault.sys.secrets_mounts()
    kv = mounts.get(f"{paths.kv_mount}/")
    if kv is None:
        vault.sys.enable_secrets_engine("kv", paths.kv_mount, options={"version": "2"})
        report.add("mount", paths.kv_mount, "created")
    elif kv.get("type") != "kv" or str((kv.get("options") or {}).get("version")) != "2":
        raise ConfigError(
            f"{paths.kv_mount}/ is mounted but is not KV version 2",
            hint="choose another [vault].kv_mount, or upgrade the mount to KV v2",
        )
    else:
        report.add("mount", paths.kv_mount, "unchanged")
    totp = mounts.get(f"{paths.totp_mount}/")
    if totp is None:
        vault.sys.enable_secrets_engine("totp", paths.totp_mount, options={})
        report.add("mount", paths.totp_mount, "created")
    elif totp.get("type") != "totp":
        raise ConfigError(f"{paths.totp_mount}/ is mounted but is not the TOTP engine")
    else:
        report.add("mount", paths.totp_mount, "unchanged")
    auth = vault.sys.auth_mounts()
    if f"{paths.userpass_mount}/" not in auth:
        vault.sys.enable_auth_method("userpass", paths.userpass_mount)
        report.add("auth", paths.userpass_mount, "created")
    else:
        report.add("auth", paths.userpass_mount, "unchanged")


def _policy(vault: Vault, name: str, text: str, report: BootstrapReport) -> None:
    current = vault.sys.read_policy(name)
    if current is not None and current.strip() == text.strip():
        report.add("policy", name, "unchanged")
        return
    vault.sys.write_policy(name, text)
    report.add("policy", name, "created" if current is None else "updated")


def bootstrap(vault: Vault, account_names: Iterable[str]) -> BootstrapReport:
    """Mount KV v2, TOTP and userpass if missing; write the tool policy; a group per account."""
    report = BootstrapReport()
    paths = vault.paths
    _mounts(vault, report)
    _policy(vault, paths.tool_policy(), tool_policy_text(paths), report)
    _policy(vault, paths.service_policy(), service_policy_text(paths), report)
    _policy(vault, paths.stepup_enroll_policy(), stepup_enroll_policy_text(paths), report)
    for account in sorted(account_names):
        policy = paths.account_policy(account)
        _policy(vault, policy, account_policy_text(paths, account), report)
        group_name = paths.account_group(account)
        group = vault.identity.read_group(group_name)
        if group is None:
            vault.identity.write_group(group_name, policies=[policy], member_entity_ids=[])
            report.add("group", group_name, "created")
        elif tuple(group.policies) != (policy,):
            vault.identity.write_group(group_name, policies=[policy])
            report.add("group", group_name, "updated")
        else:
            report.add("group", group_name, "unchanged")
    return report
