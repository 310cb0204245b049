"""Tests allow their loopback servers the way an admin would: in the config file.

``admin_allows(url)`` adds the server's ``host:port`` to ``[connectors] allowed_hosts``
in the test's own config file (``$ACCESSGUARD_HOME/config.toml``), which every App,
CLI run and subprocess of the test reads. Fakes call it when they start, unless built
as an attacker's server. ``ConfigReadingClient`` is the connector tests' ``http``
fixture: it reads the file before each request, as a fresh process would.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tomllib
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from accessguard.config import HOME_ENV, default_config_path, load_settings
from accessguard.connectors.egress import EgressPolicy
from accessguard.connectors.http import HttpClient

if TYPE_CHECKING:
    import requests

    from accessguard.app import App


def allowed_hosts() -> list[str]:
    """``[connectors] allowed_hosts`` as the test's config file has it now."""
    path = default_config_path()
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return list(data.get("connectors", {}).get("allowed_hosts", []))


def admin_allows(*urls: str, app: App | None = None) -> None:
    """Add each URL's ``host:port`` to the config file's allowed hosts (and reload ``app``'s)."""
    if not os.environ.get(HOME_ENV):  # never the real user's config file
        raise RuntimeError(f"admin_allows needs {HOME_ENV} (tests set it per test)")
    path = default_config_path()
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    hosts = allowed_hosts()
    hosts += [n for n in dict.fromkeys(urlsplit(u).netloc for u in urls) if n not in hosts]
    line = f"allowed_hosts = {json.dumps(hosts)}"
    if re.search(r"(?m)^allowed_hosts\s*=", text):
        text = re.sub(r"(?m)^allowed_hosts\s*=.*$", line, text)
    elif re.search(r"(?m)^\[connectors\]", text):
        text = re.sub(r"(?m)^\[connectors\]\s*$", f"[connectors]\n{line}", text, count=1)
    else:
        text += f"\n[connectors]\n{line}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)  # as `accessguard init` writes it
    if app is not None:
        connectors = load_settings(path).connectors
        app.settings = dataclasses.replace(app.settings, connectors=connectors)


class ConfigReadingClient(HttpClient):
    """An ``HttpClient`` whose allowed hosts are the config file's at each request."""

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Re-read ``[connectors] allowed_hosts``, then send as the product does."""
        self.egress = EgressPolicy.from_setting(allowed_hosts())
        return super().request(method, url, **kwargs)
