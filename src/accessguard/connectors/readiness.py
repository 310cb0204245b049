"""What a connector still needs before it can work, and storing its secrets where it reads them.

``connectors check ACCOUNT`` lists every missing piece at once (settings, secrets with
their exact Vault path, a ``base_url`` host the egress rules refuse) before it calls the
platform; ``connectors secret set`` writes a secret from stdin to the path the connector
reads (``tokens.vault_path``), audited, its value never shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from difflib import get_close_matches
from typing import TYPE_CHECKING, Any

from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.connectors.registry import (
    DEFAULT_BY_PLATFORM,
    NOTIFIERS,
    available,
    connector_class,
    connector_name,
)
from accessguard.connectors.settings import settings_problems
from accessguard.connectors.tokens import Kind, connector_secrets, vault_path
from accessguard.errors import ConfigError, InputError
from accessguard.secret import Secret

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from accessguard.app import App
    from accessguard.connectors.base import Connector
    from accessguard.connectors.registry import Account


def account_problems(
    platform: str, connector: str | None, settings: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """Problems of an account's connector and settings, as ``(field, message)`` pairs.

    The connector is the account's own, else its platform's default; an unknown name
    is a ``connector`` problem, wrong settings are ``settings`` problems.
    """
    name = connector or DEFAULT_BY_PLATFORM.get(platform)
    if connector is None and not settings:
        return []  # no API configured: the platform's manual checklist
    if name is None or name == "manual":
        return []  # no connector reads them: free-form notes (a channel id, say)
    try:
        classes = available()
    except ConfigError as exc:
        return [("connector", exc.message)]
    if name not in classes or name in NOTIFIERS:
        choices = sorted(n for n in classes if n not in NOTIFIERS)
        close = get_close_matches(name, choices, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(choices)}"
        return [("connector", f"unknown connector {name!r} ({hint})")]
    cls: type[Connector] = classes[name]
    return [("settings", text) for text in settings_problems(cls.settings_spec, settings)]


def missing(app: App, account: Account) -> list[str]:
    """Everything ``account``'s connector lacks, one line each (empty: ready to call)."""
    name = connector_name(account)
    if name is None or name == "manual":
        return []
    cls = connector_class(name)
    settings = dict(account.settings or {})
    problems = settings_problems(cls.settings_spec, settings)
    have = connector_secrets(app, "accounts", account.name) if cls.secret_keys else {}
    root = f"{app.settings.vault.kv_mount}/{vault_path(app.settings.vault.prefix, 'accounts', account.name)}"
    for key in cls.secret_keys:
        if key not in have:
            problems.append(
                f"no {key!r} secret: `accessguard connectors secret set {account.name} {key}` "
                f"(stores it in Vault at {root}, key {key})"
            )
    base = settings.get("base_url")
    if isinstance(base, str) and base:
        from accessguard.connectors.egress import EgressPolicy, EgressRefusedError

        hosts = app.settings.connectors
        policy = EgressPolicy.from_setting(hosts.allowed_hosts, hosts.by_connector)
        official = getattr(cls, "official_hosts", ())
        try:
            service = f"{name}[{account.name}]"
            policy.check(base, service=service, official_hosts=official, connector=name)
        except (EgressRefusedError, ConfigError) as exc:
            problems.append(f"{exc.message} ({exc.hint})" if exc.hint else exc.message)
    return problems


def secret_keys_of(kind: Kind, connector: str) -> tuple[str, ...]:
    """The secret names a connector (or notifier kind) reads."""
    return connector_class(connector).secret_keys


def store_secret(
    app: App,
    conn: Connection,
    *,
    kind: Kind,
    name: str,
    connector: str,
    field: str,
    value: Secret,
) -> int:
    """Write one secret of account or notifier ``name`` to Vault; the new KV version.

    ``field`` must be one the connector reads; other fields at the path are kept (a
    check-and-set patch), and the event (in the caller's transaction) names the field,
    never the value.
    """
    allowed = secret_keys_of(kind, connector)
    if field not in allowed:
        raise InputError(
            f"the {connector} connector reads no secret {field!r}",
            hint=f"its secrets: {', '.join(allowed) or 'none'}",
        )
    if kind == "notifiers" and connector not in NOTIFIERS:
        raise InputError(f"{connector!r} is not a notifier", hint=f"one of {', '.join(NOTIFIERS)}")
    if not value.reveal().strip():
        raise InputError("the secret is empty", hint="pipe it on stdin or type it at the prompt")
    from accessguard.vault.facade import open_vault

    path = vault_path(app.settings.vault.prefix, kind, name)
    vault = open_vault(app)
    try:
        meta = vault.kv.metadata(path)
        if meta is None or meta.current_version == 0:
            version = vault.kv.write(path, {field: value}, cas=0)
        else:
            version = vault.kv.patch(path, {field: value}, cas=meta.current_version)
    finally:
        vault.close()
    record(
        conn,
        app.clock,
        actor=app.actor,
        action=AuditAction.CONNECTOR_SECRET_SET,
        target_type="account" if kind == "accounts" else "notifier",
        target=name,
        details={"field": field, "connector": connector, "vault_version": version},
    )
    return version
