"""Every Vault name the tool uses, built from settings and validated segments.

Account names become path segments, so they are checked against a safe set
(``[a-z0-9._-]``, no ``..``, no leading ``/``); a built path can never leave the
configured prefix. TOTP keys, policies and groups get names derived the same way;
upper-case markers (``_A_``, ``_G``) cannot occur in the lower-case segments, so one
account's glob never matches another account's keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from accessguard.config import VaultSettings
from accessguard.errors import ConfigError, InputError

SEGMENT_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]|\.(?!\.)){0,62}$")
_MOUNT_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
#: A segment of a KV path the tool reads or writes (``_audit`` is the tool's own folder).
_KV_SEGMENT_RE = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]|\.(?!\.)){0,62}$")


def check_segment(value: str, what: str = "account name") -> str:
    """``value`` if it is one safe path segment; InputError otherwise."""
    if not isinstance(value, str) or not SEGMENT_RE.fullmatch(value):
        raise InputError(
            f"{what} {value!r} is not a safe Vault path segment",
            hint="use 1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter "
            "or digit, with no '..' and no '/'",
            code="unsafe-path",
        )
    return value


def _check_prefix(prefix: str) -> str:
    parts = prefix.strip("/").split("/") if prefix else []
    if not parts or prefix.startswith("/"):
        raise ConfigError(
            f"[vault].prefix {prefix!r} must be a relative path such as 'accessguard'",
            code="unsafe-path",
        )
    for part in parts:
        try:
            check_segment(part, "[vault].prefix segment")
        except InputError as exc:
            raise ConfigError(exc.message, hint=exc.hint, code="unsafe-path") from None
    return "/".join(parts)


def _check_mount(name: str, what: str) -> str:
    clean = name.strip("/")
    if not _MOUNT_RE.fullmatch(clean):
        raise ConfigError(f"[vault].{what} {name!r} is not a valid mount name", code="config")
    return clean


@dataclass(frozen=True)
class VaultPaths:
    """Names for one installation (mounts + prefix); every method validates its input."""

    kv_mount: str
    prefix: str
    totp_mount: str
    userpass_mount: str

    @classmethod
    def from_settings(cls, settings: VaultSettings) -> VaultPaths:
        """Validated names from ``[vault]`` settings."""
        return cls(
            kv_mount=_check_mount(settings.kv_mount, "kv_mount"),
            prefix=_check_prefix(settings.prefix),
            totp_mount=_check_mount(settings.totp_mount, "totp_mount"),
            userpass_mount=_check_mount(settings.userpass_mount, "userpass_mount"),
        )

    @property
    def slug(self) -> str:
        """The prefix as one name-safe token (``a/b`` -> ``a.b``)."""
        return self.prefix.replace("/", ".")

    def secret(self, account: str) -> str:
        """The KV path (relative to the mount) of an account's shared login."""
        path = f"{self.prefix}/{check_segment(account)}"
        if not path.startswith(self.prefix + "/") or ".." in path.split("/"):
            raise InputError(f"refusing path {path!r}", code="unsafe-path")
        return path

    def check_kv_path(self, path: str) -> str:
        """``path`` if it is a KV path under the prefix made of safe segments; else InputError.

        Every KV request goes through this, so a path read back from the database (where
        anyone who can write a row could put ``..``) is checked again before it is used.
        """
        segments = path.split("/")
        inside = path.startswith(self.prefix + "/")
        if not inside or not all(_KV_SEGMENT_RE.fullmatch(part) for part in segments):
            raise InputError(
                f"refusing Vault path {path!r}: not a safe path under {self.prefix + '/'!r}",
                hint="the stored path was altered or is corrupt; nothing was sent to Vault",
                code="unsafe-path",
            )
        return path

    def secret_api_path(self, account: str) -> str:
        """The full API path of the secret's data (as written in policies)."""
        return f"{self.kv_mount}/data/{self.secret(account)}"

    def totp_base(self, account: str) -> str:
        """The stem of an account's TOTP key names; generation n is ``<stem><n>``."""
        return f"{self.slug}_A_{check_segment(account)}_G"

    def check_totp_key(self, name: str) -> str:
        """``name`` if it is one of this installation's TOTP keys (an account's seed or an
        operator's step-up seed); else InputError.

        Key names are read back from the database: checked again before every request.
        """
        slug = re.escape(self.slug)
        seed = re.fullmatch(slug + r"_A_(?P<segment>.+)_G[1-9][0-9]*", name)
        step_up = re.fullmatch(slug + r"_op_(?P<segment>.+)", name)
        match = seed or step_up
        if match is None or not SEGMENT_RE.fullmatch(match["segment"]):
            raise InputError(
                f"refusing TOTP key name {name!r}: not a key of prefix {self.prefix!r}",
                hint="the stored name was altered or is corrupt; nothing was sent to Vault",
                code="unsafe-path",
            )
        return name

    def totp_key(self, account: str, generation: int) -> str:
        """The TOTP engine key name of one seed generation of an account."""
        if generation < 1:
            raise InputError("TOTP generation must be positive")
        return f"{self.totp_base(account)}{generation}"

    def operator_totp_key(self, operator: str) -> str:
        """The TOTP engine key of an operator's own step-up seed (``<slug>_op_<operator>``)."""
        return f"{self.slug}_op_{check_segment(operator, 'operator name')}"

    def service_policy(self) -> str:
        """Name of the policy that marks a scheduled job's token (step-up without a human)."""
        return f"ag-{self.slug}-service"

    def stepup_enroll_policy(self) -> str:
        """Name of the admin policy that writes operators' step-up seeds (the tool's cannot)."""
        return f"ag-{self.slug}-stepup-enroll"

    def tool_policy(self) -> str:
        """Name of the tool's own policy."""
        return f"ag-{self.slug}-tool"

    def account_policy(self, account: str) -> str:
        """Name of the policy that reads one account's secret and TOTP code."""
        return f"ag-{self.slug}-acct-{check_segment(account)}"

    def account_group(self, account: str) -> str:
        """Name of the identity group whose members may read one account."""
        return f"ag-{self.slug}-acct-{check_segment(account)}"

    def group_prefix(self) -> str:
        """Every account group's name starts with this."""
        return f"ag-{self.slug}-acct-"

    def person_prefix(self) -> str:
        """Every login and entity the tool makes for a person starts with this."""
        return f"ag-{self.slug}-u-"

    def person_login(self, email: str) -> str:
        """The userpass login and entity name of a person: ``ag-<slug>-u-<user>_at_<domain>``.

        The tool policy reaches only names with this prefix, so it cannot touch a
        login or entity it did not make.
        """
        return check_username(self.person_prefix() + username_for(email))

    def login_prefix(self, username: str) -> str:
        """The lease prefix of a userpass user's tokens (trailing slash: exact user only)."""
        return f"auth/{self.userpass_mount}/login/{check_username(username)}/"


_USERNAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]|\.(?!\.)){0,127}$")


def check_username(value: str) -> str:
    """A userpass user name safe in a path."""
    if not _USERNAME_RE.fullmatch(value):
        raise InputError(f"Vault user name {value!r} is not safe", code="unsafe-path")
    return value


def username_for(email: str) -> str:
    """The userpass user name for a person: the email with '@' spelled ``_at_``."""
    local, _, domain = email.strip().lower().partition("@")
    clean = re.sub(r"[^a-z0-9._-]", "-", f"{local}_at_{domain}")
    clean = re.sub(r"\.{2,}", ".", clean).strip(".")
    return check_username(clean)
