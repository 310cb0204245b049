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


def stepup_enroll_policy_text(paths: VaultPaths) -> str:
    """What an admin needs to enrol operators' step-up seeds, and nothing else.

    Kept out of the tool policy: the TOTP engine has no existence check, so whoever can
    create a key can overwrite it. Only Vault-generated seeds (no ``key``/``url``), read
    of the key's settings to refuse a second enrolment, and delete to replace a seed.
    """
    keys = f"{paths.totp_mount}/keys/{paths.slug}_op_*"
    return (
        "# accessguard: enrol operators' step-up seeds (admins only; never with the tool\n"
        "# policy, so the tool token cannot replace a seed). Vault generates each seed.\n"
        f'path "{keys}" {{\n'
        '  capabilities = ["create", "read", "update", "delete"]\n'
        "  allowed_parameters = {\n"
        '    "generate"     = []\n'
        '    "exported"     = []\n'
        '    "issuer"       = []\n'
        '    "account_name" = []\n'
        '    "qr_size"      = []\n'
        "  }\n}\n"
        'path "auth/token/lookup-self" {\n  capabilities = ["read"]\n}\n'
    )
