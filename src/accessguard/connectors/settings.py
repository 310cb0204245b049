"""What each connector's account settings are: declared once, checked before they are stored.

A connector declares its settings (``Connector.settings_spec``): name, kind, whether it
is required, and one line of help. ``accounts add`` and ``accounts import`` check an
account's connector and settings against that declaration before anything is written
(``readiness.account_problems``), so a missing ``business_id`` or a misspelt key is one error at
the row or option, not a failed revoke in the middle of an offboarding. ``connectors
list --json`` prints the declarations.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any
from urllib.parse import urlsplit

#: Kinds of setting value and what each accepts.
KINDS = {
    "text": "a string",
    "id": "an id (digits or letters, no spaces)",
    "url": "an https URL",
    "bool": "true or false",
    "list": "a JSON list of strings",
    "map": "a JSON object of strings",
    "choice": "one of the listed values",
}
_ID = re.compile(r"^[A-Za-z0-9_.:/@-]{1,200}$")


@dataclass(frozen=True)
class Setting:
    """One account setting a connector reads (never a secret: those live in Vault)."""

    name: str
    kind: str = "text"
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    #: a regular expression the whole value must match (text settings).
    pattern: str | None = None

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not acceptable for this setting, or None."""
        if value is None or value == "":
            return "must not be empty" if self.required else None
        check = _CHECKS[self.kind]
        why = check(self, value)
        if why is None and self.pattern and not re.fullmatch(self.pattern, str(value)):
            return f"does not have the required form ({self.help})"
        return why

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view for ``connectors list --json``."""
        data: dict[str, Any] = {
            "name": self.name,
            "type": self.kind,
            "required": self.required,
            "help": self.help,
        }
        if self.choices:
            data["choices"] = list(self.choices)
        return data


def _text(setting: Setting, value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > 500:
        return f"must be {KINDS['text']} (at most 500 characters)"
    return None


def _id(setting: Setting, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return f"must be {KINDS['id']}"
    if not _ID.match(str(value)):
        return f"must be {KINDS['id']}, got {str(value)[:40]!r}"
    return None


def _url(setting: Setting, value: Any) -> str | None:
    if not isinstance(value, str):
        return f"must be {KINDS['url']}"
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "must be an https URL such as https://api.example.com"
    if parts.username or parts.password or parts.query or parts.fragment:
        return "must be a plain URL: no user, password, query or fragment"
    return None


def _bool(setting: Setting, value: Any) -> str | None:
    return None if isinstance(value, bool) else f"must be {KINDS['bool']}"


def _list(setting: Setting, value: Any) -> str | None:
    ok = isinstance(value, list) and all(isinstance(v, (str, int)) for v in value)
    if not ok:
        return f'must be {KINDS["list"]}, e.g. ["a", "b"]'
    unknown = [str(v) for v in value if setting.choices and v not in setting.choices]
    return f"{', '.join(unknown)}: not one of {', '.join(setting.choices)}" if unknown else None


def _map(setting: Setting, value: Any) -> str | None:
    ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    return None if ok else f'must be {KINDS["map"]}, e.g. {{"ann@example.com": "ann"}}'


def _choice(setting: Setting, value: Any) -> str | None:
    return None if value in setting.choices else f"must be one of {', '.join(setting.choices)}"


_CHECKS = {
    "text": _text,
    "id": _id,
    "url": _url,
    "bool": _bool,
    "list": _list,
    "map": _map,
    "choice": _choice,
}

#: Settings many connectors share.
BASE_URL = Setting(
    "base_url",
    "url",
    help="API root, to override the platform's public one (other hosts need allowed_hosts)",
)
IDENTITIES = Setting(
    "identities", "map", help="email -> the person's id or name on the platform, when not the email"
)


#: Settings every connector's accounts may carry (read outside the connector itself).
RECONCILE_IGNORE = Setting(
    "reconcile_ignore",
    "list",
    help="holders reconcile skips: the API's own service user, by email or platform id",
)
COMMON = (RECONCILE_IGNORE,)


def settings_problems(spec: Sequence[Setting], settings: Mapping[str, Any]) -> list[str]:
    """Every problem of ``settings`` against ``spec`` (plus ``COMMON``): unknown keys,
    missing or mistyped values."""
    spec = (*spec, *(c for c in COMMON if c.name not in {s.name for s in spec}))
    by_name = {s.name: s for s in spec}
    problems: list[str] = []
    for key in settings:
        if key not in by_name:
            close = get_close_matches(key, list(by_name), n=1)
            known = f"did you mean {close[0]!r}?" if close else _known(spec)
            problems.append(f"unknown setting {key!r} ({known})")
    for setting in spec:
        value = settings.get(setting.name)
        if value is None and setting.required:
            problems.append(f"missing required setting {setting.name!r} ({setting.help})")
            continue
        why = setting.problem(value)
        if why:
            problems.append(f"setting {setting.name!r} {why}")
    return problems


def _known(spec: Sequence[Setting]) -> str:
    names = ", ".join(s.name for s in spec)
    return f"known: {names}" if names else "this connector takes no settings"


def parse_value(text: str) -> Any:
    """A ``--setting KEY=VALUE`` value: JSON when it parses as a bool, list or object, else text.

    Numbers stay text (ids such as ``0012`` keep their digits).
    """
    stripped = text.strip()
    if stripped in ("true", "false") or stripped.startswith(("[", "{")):
        try:
            return json.loads(stripped)
        except ValueError:
            return text
    return text
