"""How commands get the App: built once by the root command, passed with ``pass_app``."""

from __future__ import annotations

from pathlib import Path

import click

from accessguard.app import App


def build_app(*, config_path: Path | None, database_url: str | None, actor: str | None) -> App:
    """Load settings (file, environment, options) and build the App."""
    from accessguard.config import load_settings

    settings = load_settings(config_path, overrides={"database.url": database_url, "actor": actor})
    return App(settings=settings)


pass_app = click.make_pass_decorator(App)
