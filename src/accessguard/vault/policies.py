"""Policy texts: the shipped tool policy (rendered) and one read policy per account."""

from __future__ import annotations

from importlib import resources

from accessguard.vault.paths import VaultPaths

POLICY_FILE = "accessguard-policy.hcl"


def tool_policy_text(paths: VaultPaths) -> str:
    """The shipped tool policy with this installation's mounts and prefix filled in."""
    text = resources.files("accessguard.vault").joinpath(POLICY_FILE).read_text(encoding="utf-8")
    for key, value in {
        "kv_mount": paths.kv_mount,
        "prefix": paths.prefix,
        "slug": paths.slug,
        "totp_mount": paths.totp_mount,
        "userpass_mount": paths.userpass_mount,
    }.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def account_policy_text(paths: VaultPaths, account: str) -> str:
    """What a member of the account's group may do: read its secret and get its TOTP codes."""
    return (
        f"# accessguard: read access to the shared login of {account}\n"
        f'path "{paths.secret_api_path(account)}" {{\n  capabilities = ["read"]\n}}\n'
        f'path "{paths.totp_mount}/code/{paths.totp_base(account)}*" {{\n'
        '  capabilities = ["read"]\n}\n'
    )


def service_policy_text(paths: VaultPaths) -> str:
    """The service identity's marker policy: a token holding it runs without a human factor.

    It grants nothing beyond reading the token itself; what the job may do comes from
    the tool policy it also holds. An admin creates such tokens for scheduled jobs
    (``leavers run``); every run they pass is audited as ``step-up.service``.
    """
    return (
        "# accessguard: marks a scheduled job's token (step-up passes without a human\n"
        "# second factor, recorded as such). Give it together with the tool policy.\n"
        'path "auth/token/lookup-self" {\n  capabilities = ["read"]\n}\n'
        f"# installation: {paths.slug}\n"
    )
