"""Settings: a TOML file in the user's config directory, then environment, then options.

Each key lives in a section (``[vault] kv_mount = "secret"``); the environment
variable for it is ``ACCESSGUARD_<SECTION>_<KEY>`` (``ACCESSGUARD_VAULT_KV_MOUNT``).
Secrets (tokens, passwords) are never read from this file: see ``secrets_store``.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from accessguard.actor import actor_name
from accessguard.errors import ConfigError

APP_NAME = "accessguard"
CONFIG_ENV = "ACCESSGUARD_CONFIG"
HOME_ENV = "ACCESSGUARD_HOME"


def config_dir() -> Path:
    """The directory holding ``config.toml`` (``ACCESSGUARD_HOME`` overrides)."""
    if home := os.environ.get(HOME_ENV):
        return Path(home)
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME))


def data_dir() -> Path:
    """The directory holding the default SQLite database (``ACCESSGUARD_HOME`` overrides)."""
    if home := os.environ.get(HOME_ENV):
        return Path(home)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME))


def default_config_path() -> Path:
    """Where the config file is read from unless ``ACCESSGUARD_CONFIG`` says otherwise."""
    if path := os.environ.get(CONFIG_ENV):
        return Path(path)
    return config_dir() / "config.toml"


@dataclass(frozen=True)
class DatabaseSettings:
    """Where the inventory lives; any SQLAlchemy URL works."""

    url: str = ""


@dataclass(frozen=True)
class VaultSettings:
    """How to reach Vault (never the token: that comes from the environment or keyring)."""

    addr: str = ""
    addresses: list[str] = field(default_factory=list)
    namespace: str = ""
    kv_mount: str = "secret"
    prefix: str = "accessguard"
    totp_mount: str = "totp"
    userpass_mount: str = "userpass"
    timeout: int = 10
    verify: bool = True
    # Plain http to a Vault off loopback (the token would cross the network in clear).
    allow_http: bool = False
    # How long one request keeps trying the addresses (leader elections, restarts) before
    # it fails; a sealed Vault fails at once.
    retry_seconds: int = 30


@dataclass(frozen=True)
class PolicySettings:
    """Thresholds used by rotation, findings and reviews."""

    rotation_days_low: int = 365
    rotation_days_medium: int = 180
    rotation_days_high: int = 90
    rotation_days_critical: int = 30
    stale_grant_days: int = 90
    password_length: int = 24


@dataclass(frozen=True)
class CompanySettings:
    """What counts as company-owned recovery contacts."""

    name: str = "Example Corp"
    domains: list[str] = field(default_factory=list)
    phone_prefixes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SmtpSettings:
    """Outgoing mail for reports and notifications (password: see ``connectors/email.py``).

    ``security``: ``starttls`` (default), ``tls`` (implicit TLS, port 465) or ``none`` (a
    local relay without a login only); ``port`` 0 means the usual one for ``security``
    (587, 465, 25); ``cafile`` adds a CA bundle for a private mail server's certificate.
    """

    host: str = "localhost"
    port: int = 0
    sender: str = "accessguard@localhost"
    username: str = ""
    security: str = "starttls"
    cafile: str = ""
    timeout: int = 10


@dataclass(frozen=True)
class ConnectorSettings:
    """Where platform tokens may go besides each platform's official hosts.

    ``allowed_hosts`` lists ``host`` (its scheme's default port) or ``host:port`` entries
    an admin trusts with **every** connector's token; ``by_connector`` holds each
    ``[connectors.<name>] allowed_hosts`` table (SCIM app, Okta org, Jira, webhooks),
    trusted with that connector's token only. Read from the config file only (see
    ``FILE_ONLY``): never from the environment, account settings or CSV.
    """

    allowed_hosts: list[str] = field(default_factory=list)
    by_connector: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class OffboardingSettings:
    """Defaults for playbook runs; ``step_up`` comes from the config file only (``FILE_ONLY``).

    Step-up is on unless the config file says ``step_up = false`` (audited at every run
    it would have guarded); scheduled jobs use a service token instead of switching it off.
    """

    concurrency: int = 8
    step_up: bool = True
    default_playbook: str = "standard"
    playbook_dirs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Settings:
    """All settings, one frozen object built once per process."""

    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    vault: VaultSettings = field(default_factory=VaultSettings)
    policy: PolicySettings = field(default_factory=PolicySettings)
    company: CompanySettings = field(default_factory=CompanySettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    offboarding: OffboardingSettings = field(default_factory=OffboardingSettings)
    connectors: ConnectorSettings = field(default_factory=ConnectorSettings)
    actor: str = ""
    config_path: str = ""

    @property
    def database_url(self) -> str:
        """The database URL, defaulting to an SQLite file in the data directory."""
        if self.database.url:
            return self.database.url
        return f"sqlite:///{data_dir() / 'accessguard.db'}"


_SECTIONS: dict[str, type] = {
    "database": DatabaseSettings,
    "vault": VaultSettings,
    "policy": PolicySettings,
    "company": CompanySettings,
    "smtp": SmtpSettings,
    "offboarding": OffboardingSettings,
    "connectors": ConnectorSettings,
}
_FORBIDDEN_KEYS = {"token", "password", "secret", "api_key"}
#: Settings an admin's reviewed file is the only source of: those that widen where
#: secrets may be sent, and the step-up switch (whoever runs a command sets its
#: environment, so an off switch there would be the operator's own). The environment
#: (CI variables, wrappers, ``.env`` files) and command-line overrides are refused
#: loudly rather than ignored.
FILE_ONLY = frozenset(
    {
        "connectors.allowed_hosts",
        "connectors.by_connector",
        "offboarding.step_up",
        "vault.allow_http",
    }
)
#: Settings that were replaced, and what to write instead.
_REPLACED = {
    "[smtp].starttls": 'use security = "starttls" (the default), "tls" (port 465) or "none"',
}


def _coerce(raw: Any, annotation: str, where: str) -> Any:
    """Turn a TOML or environment value into the field's declared type."""
    try:
        if annotation == "int":
            return int(raw)
        if annotation == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(raw)
        if annotation.startswith("list"):
            if isinstance(raw, list):
                return [str(item) for item in raw]
            return [part.strip() for part in str(raw).split(",") if part.strip()]
        return str(raw)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{where}: {raw!r} is not a valid {annotation}",
            hint="fix the value in the config file or the environment",
        ) from None


def _section(cls: type, values: Mapping[str, Any], where: str) -> Any:
    known = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, raw in values.items():
        if key in _FORBIDDEN_KEYS:
            raise ConfigError(
                f"{where}.{key}: secrets are never read from the config file",
                hint="use the environment (VAULT_TOKEN) or `accessguard login` (OS keyring)",
                code="secret-in-config",
            )
        if f"{where}.{key}" in _REPLACED:
            raise ConfigError(
                f"{where}.{key} is no longer a setting: {_REPLACED[f'{where}.{key}']}",
                code="config-replaced",
            )
        if key not in known:
            close = get_close_matches(key, list(known), n=1)
            meant = f'did you mean "{close[0]}"? ' if close else ""
            raise ConfigError(
                f"{where}: unknown setting {key!r}", hint=f"{meant}known: {', '.join(known)}"
            )
        kwargs[key] = _coerce(raw, str(known[key].type), f"{where}.{key}")
    return kwargs


def load_settings(
    config_path: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build settings from file, then environment, then ``overrides`` ("section.key": value)."""
    env = os.environ if environ is None else environ
    path = config_path or default_config_path()
    layered: dict[str, dict[str, Any]] = {name: {} for name in _SECTIONS}
    top: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read config: {exc}") from None
        for name, values in data.items():
            if name == "actor":
                top["actor"] = actor_name(str(values), f"{path}: actor")
            elif name in _SECTIONS and isinstance(values, dict):
                layered[name].update(values)
            else:
                close = get_close_matches(name, list(_SECTIONS), n=1)
                known = f'did you mean "[{close[0]}]"? ' if close else ""
                raise ConfigError(
                    f"{path}: unknown section [{name}]",
                    hint=f"{known}sections: {', '.join(_SECTIONS)} (and actor = ... at the top)",
                )
    for name, cls in _SECTIONS.items():
        for f in dataclasses.fields(cls):
            var = f"ACCESSGUARD_{name}_{f.name}".upper()
            if var in env:
                _not_file_only(f"{name}.{f.name}", f"${var}", path)
                layered[name][f.name] = env[var]
    if "ACCESSGUARD_ACTOR" in env:
        top["actor"] = actor_name(env["ACCESSGUARD_ACTOR"], "ACCESSGUARD_ACTOR")
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        section, _, key = dotted.partition(".")
        _not_file_only(dotted, "an override", path)
        if section == "actor":
            top["actor"] = actor_name(str(value), "--actor", usage=True)
        else:
            layered[section][key] = value
    by_connector = _connector_tables(layered["connectors"])
    sections = {
        name: cls(**_section(cls, layered[name], f"[{name}]")) for name, cls in _SECTIONS.items()
    }
    sections["connectors"] = dataclasses.replace(sections["connectors"], by_connector=by_connector)
    login = (env.get("USER") or env.get("LOGNAME") or "").strip().lower()
    actor = top.get("actor") or login or "operator"
    return Settings(**sections, actor=actor, config_path=str(path))


def _connector_tables(values: dict[str, Any]) -> dict[str, list[str]]:
    """Take the ``[connectors.<name>]`` tables out of ``[connectors]``: their allowed hosts.

    Only ``allowed_hosts`` may appear in them; ``by_connector`` is never written directly.
    """
    if "by_connector" in values:
        raise ConfigError(
            "[connectors]: unknown setting 'by_connector'",
            hint="allow hosts per connector with a [connectors.<name>] table",
        )
    tables: dict[str, list[str]] = {}
    for name in [key for key, value in values.items() if isinstance(value, dict)]:
        table = values.pop(name)
        unknown = set(table) - {"allowed_hosts"}
        if unknown:
            raise ConfigError(
                f"[connectors.{name}]: unknown setting {sorted(unknown)[0]!r}",
                hint="known: allowed_hosts",
            )
        tables[name] = _coerce(table.get("allowed_hosts", []), "list[str]", f"[connectors.{name}]")
    return tables


def _not_file_only(dotted: str, source: str, path: Path) -> None:
    """ConfigError when ``source`` tries to set a setting only the config file may set."""
    if dotted in FILE_ONLY or dotted.startswith("connectors."):  # every egress setting
        section, _, key = dotted.partition(".")
        raise ConfigError(
            f"{source} cannot set [{section}] {key}: only the config file can",
            hint=f"an admin sets it in {path}",
            code="config-file-only",
        )


DEFAULT_CONFIG = """\
# accessguard settings. Secrets never go here: use VAULT_TOKEN or `accessguard login`.
[database]
# url = "postgresql+psycopg://accessguard@db.example.com/accessguard"

[vault]
# addr = "https://vault.example.com:8200"
# Plain http:// to Vault is refused except to loopback; only this file can allow it.
# allow_http = false
kv_mount = "secret"
prefix = "accessguard"
totp_mount = "totp"

[company]
# Your company's email domains and phone prefixes: recovery contacts outside them are
# reported. Examples only; uncomment and write your own:
# domains = ["example.com"]
# phone_prefixes = ["+1555"]

[policy]
rotation_days_critical = 30
rotation_days_high = 90

[offboarding]
# Step-up is on: destructive commands need the operator's own TOTP code, checked by
# Vault (an admin enrols each operator: `accessguard stepup enroll --operator NAME`).
# Scheduled jobs use a token with the ag-<slug>-service policy. Turning it off is
# recorded in the audit trail at every run it would have guarded:
# step_up = false

[connectors]
# Hosts (or host:port) that may receive connector tokens besides each platform's
# official API hosts. Plain http only to loopback. Prefer one table per connector: a
# host there receives only that connector's token.
# [connectors.scim]
# allowed_hosts = ["scim.example.com"]
# [connectors.jira]
# allowed_hosts = ["example.atlassian.net"]
# The global list applies to EVERY connector (each token may go to each host in it):
# allowed_hosts = []
"""
