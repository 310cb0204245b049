"""`login` / `logout`: keep the Vault address and token in the OS keyring."""

from __future__ import annotations

import sys

import click

from accessguard.app import App
from accessguard.cli.context import pass_app
from accessguard.cli.output import info


def read_hidden(prompt: str) -> str:
    """A value from a hidden prompt on a terminal, or the first line of stdin when piped."""
    if sys.stdin.isatty():
        return str(click.prompt(prompt, hide_input=True))
    return sys.stdin.readline().strip()


@click.command("login")
@click.option("--addr", metavar="URL", help="Vault address(es), comma-separated.")
@click.option("--namespace", metavar="NS", help="Vault namespace (Enterprise/HCP).")
@click.option("--no-verify", is_flag=True, help="Store without checking the token against Vault.")
@pass_app
def login_cmd(app: App, addr: str | None, namespace: str | None, no_verify: bool) -> None:
    """Store a Vault token (read from a hidden prompt or stdin, never an argument)."""
    from dataclasses import replace

    from accessguard import secrets_store
    from accessguard.errors import InputError
    from accessguard.secret import Secret
    from accessguard.vault.connection import Connection, resolve
    from accessguard.vault.facade import Vault
    from accessguard.vault.paths import VaultPaths

    token = Secret(read_hidden("Vault token"))
    if not token:
        raise InputError("no token given", hint="pipe it on stdin or type it at the prompt")
    settings = app.settings.vault if not addr else replace(app.settings.vault, addr=addr)
    if addr:
        addresses: tuple[str, ...] = tuple(a.strip() for a in addr.split(",") if a.strip())
    else:
        addresses = resolve(settings, use_keyring=True).addresses
    if not no_verify:
        connection = Connection(addresses, token, namespace, settings.timeout, settings.verify)
        info_ = Vault(connection, VaultPaths.from_settings(settings)).sys.token_info()
        info(f"token ok: {info_['display_name']} (policies: {', '.join(info_['policies'])})")
    secrets_store.set_value(secrets_store.VAULT_TOKEN, token)
    secrets_store.set_value(secrets_store.VAULT_ADDR, ",".join(addresses))
    if namespace:
        secrets_store.set_value(secrets_store.VAULT_NAMESPACE, namespace)
    info(f"stored the Vault token for {addresses[0]} in the OS keyring")


@click.command("logout")
def logout_cmd() -> None:
    """Remove the stored Vault token (and address) from the OS keyring."""
    from accessguard import secrets_store

    if not secrets_store.keeps_values():
        info("nothing was stored: no OS keyring backend that keeps values is in use")
        return
    # A backend may delete a missing entry silently: ask first whether a token was there.
    stored = secrets_store.get_value(secrets_store.VAULT_TOKEN) is not None
    removed = secrets_store.delete_value(secrets_store.VAULT_TOKEN) and stored
    secrets_store.delete_value(secrets_store.VAULT_ADDR)
    secrets_store.delete_value(secrets_store.VAULT_NAMESPACE)
    info("removed the Vault token from the OS keyring" if removed else "no token was stored")
