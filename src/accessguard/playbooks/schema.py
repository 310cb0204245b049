"""The playbook schema: typed steps built from YAML, every error naming file, line and key.

name: standard                 # required, [a-z0-9-]
description: Planned departure  # required
steps:                          # ordered; ids are stable (resume uses them)
  - id: revoke-platform
    action: revoke-access       # see ``action_specs.SPECS``
    for_each: {source: grants, via: [platform-role, suite-seat]}
    when: {kind: [employee]}
    on_failure: continue        # or stop (default)
    destructive: true           # defaults to the action's own flag
    args: {}
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from accessguard.errors import PlaybookValidationError
from accessguard.playbooks.action_specs import FOR_EACH_SOURCES, SPECS, WHEN_KEYS, ArgSpec

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
ON_FAILURE = ("stop", "continue")

#: Given a key path such as ("steps", 2, "action"), return "file:line".
Where = Callable[[tuple[Any, ...]], str]


@dataclass(frozen=True)
class ForEach:
    """What a step iterates over, with filters (each a tuple of accepted values)."""

    source: str
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {"source": self.source, **{k: list(v) for k, v in self.filters.items()}}


@dataclass(frozen=True)
class Step:
    """One validated step."""

    id: str
    action: str
    description: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    for_each: ForEach | None = None
    when: dict[str, Any] = field(default_factory=dict)
    on_failure: str = "stop"
    destructive: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "id": self.id,
            "action": self.action,
            "description": self.description,
            "args": self.args,
            "for_each": self.for_each.to_dict() if self.for_each else None,
            "when": self.when,
            "on_failure": self.on_failure,
            "destructive": self.destructive,
        }


@dataclass(frozen=True)
class Playbook:
    """A validated playbook and where it came from."""

    name: str
    description: str
    steps: tuple[Step, ...]
    path: str = ""
    digest: str = ""

    @property
    def destructive(self) -> bool:
        """True when any step can remove access or change secrets."""
        return any(step.destructive for step in self.steps)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "name": self.name,
            "description": self.description,
            "path": self.path,
            "digest": self.digest,
            "destructive": self.destructive,
            "steps": [step.to_dict() for step in self.steps],
        }


def key_path(path: tuple[Any, ...]) -> str:
    """A key path as ``steps.2.action``; odd keys (spaces, control characters) are quoted."""
    plain = (isinstance(p, str) and p.isprintable() and p.strip() == p and p for p in path)
    return ".".join(s or repr(p) for s, p in zip(plain, path, strict=True)) or "(top level)"


def _fail(where: Where, path: tuple[Any, ...], message: str) -> PlaybookValidationError:
    key = key_path(path)
    return PlaybookValidationError(
        f"{where(path)}: {key}: {message}",
        hint="see docs/playbooks.md for the schema; `accessguard playbooks validate FILE` checks a file",
    )


def _str(data: Any, where: Where, path: tuple[Any, ...], *, required: bool = True) -> str:
    if data is None and not required:
        return ""
    if not isinstance(data, str) or (required and not data.strip()):
        raise _fail(where, path, "must be a non-empty string")
    return data


def _str_list(data: Any, where: Where, path: tuple[Any, ...]) -> tuple[str, ...]:
    values = data if isinstance(data, list) else [data]
    if not values or not all(isinstance(v, str | int | bool) for v in values):
        raise _fail(where, path, "must be a value or a list of values")
    return tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in values)


def _check_keys(
    data: dict[str, Any], allowed: tuple[str, ...], where: Where, path: tuple[Any, ...]
) -> None:
    for key in data:
        if key not in allowed:
            raise _fail(where, (*path, key), f"unknown key (allowed: {', '.join(allowed)})")


def _for_each(data: Any, where: Where, path: tuple[Any, ...]) -> ForEach:
    if isinstance(data, str):
        data = {"source": data}
    if not isinstance(data, dict):
        raise _fail(where, path, "must be a source name or a mapping with `source`")
    source = data.get("source")
    if not isinstance(source, str) or source not in FOR_EACH_SOURCES:
        raise _fail(
            where,
            (*path, "source") if "source" in data else path,
            f"source must be one of {', '.join(FOR_EACH_SOURCES)}",
        )
    _check_keys(data, ("source", *FOR_EACH_SOURCES[source]), where, path)
    filters = {k: _str_list(v, where, (*path, k)) for k, v in data.items() if k != "source"}
    return ForEach(source, filters)


def _when(data: Any, where: Where, path: tuple[Any, ...]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _fail(where, path, f"must be a mapping of {', '.join(WHEN_KEYS)}")
    _check_keys(data, tuple(WHEN_KEYS), where, path)
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if key == "successor":
            if not isinstance(value, bool):
                raise _fail(where, (*path, key), "must be true or false")
            clean[key] = value
        else:
            clean[key] = list(_str_list(value, where, (*path, key)))
    return clean


def _arg(spec: ArgSpec, value: Any, where: Where, path: tuple[Any, ...]) -> Any:
    if spec.kind == "list":
        return list(_str_list(value, where, path))
    if spec.kind == "map":
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise _fail(where, path, "must be a mapping")
        return value
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise _fail(where, path, "must be true or false")
        return value
    if spec.kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise _fail(where, path, "must be an integer")
        return value
    text = _str(value, where, path)
    if spec.choices and text not in spec.choices:
        raise _fail(where, path, f"must be one of {', '.join(spec.choices)}")
    return text


def _step(data: Any, where: Where, path: tuple[Any, ...]) -> Step:
    if not isinstance(data, dict):
        raise _fail(where, path, "a step must be a mapping with at least `id` and `action`")
    allowed = ("id", "action", "description", "args", "for_each", "when", "on_failure")
    _check_keys(data, (*allowed, "destructive"), where, path)
    step_id = _str(data.get("id"), where, (*path, "id"))
    if not ID_RE.fullmatch(step_id):
        raise _fail(where, (*path, "id"), "must be 1-63 characters of a-z, 0-9 and '-'")
    action = _str(data.get("action"), where, (*path, "action"))
    spec = SPECS.get(action)
    if spec is None:
        raise _fail(where, (*path, "action"), f"unknown action (known: {', '.join(SPECS)})")
    raw_args = data.get("args") or {}
    if not isinstance(raw_args, dict):
        raise _fail(where, (*path, "args"), "must be a mapping")
    _check_keys(raw_args, tuple(spec.args), where, (*path, "args"))
    args = {k: _arg(spec.args[k], v, where, (*path, "args", k)) for k, v in raw_args.items()}
    for name, arg in spec.args.items():
        if arg.required and name not in args:
            raise _fail(where, (*path, "args"), f"missing required argument `{name}`")
    for_each = (
        _for_each(data["for_each"], where, (*path, "for_each")) if "for_each" in data else None
    )
    source = for_each.source if for_each else ""
    if source not in spec.for_each:
        allowed_sources = [s or "(none: runs once)" for s in spec.for_each]
        raise _fail(
            where,
            (*path, "for_each") if for_each else path,
            f"action {action} needs for_each: {' or '.join(allowed_sources)}",
        )
    on_failure = data.get("on_failure", "stop")
    if on_failure not in ON_FAILURE:
        raise _fail(where, (*path, "on_failure"), "must be stop or continue")
    destructive = data.get("destructive", spec.destructive)
    if not isinstance(destructive, bool):
        raise _fail(where, (*path, "destructive"), "must be true or false")
    return Step(
        id=step_id,
        action=action,
        description=_str(data.get("description"), where, (*path, "description"), required=False),
        args=args,
        for_each=for_each,
        when=_when(data["when"], where, (*path, "when")) if "when" in data else {},
        on_failure=on_failure,
        destructive=destructive,
    )


def build_playbook(data: Any, where: Where, *, path: str = "", digest: str = "") -> Playbook:
    """Validate parsed YAML into a Playbook; PlaybookValidationError names file:line and key."""
    if not isinstance(data, dict):
        raise _fail(where, (), "a playbook must be a mapping with name, description and steps")
    _check_keys(data, ("name", "description", "steps"), where, ())
    name = _str(data.get("name"), where, ("name",))
    if not ID_RE.fullmatch(name):
        raise _fail(where, ("name",), "must be 1-63 characters of a-z, 0-9 and '-'")
    description = _str(data.get("description"), where, ("description",))
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise _fail(where, ("steps",), "must be a non-empty list of steps")
    steps = tuple(_step(item, where, ("steps", i)) for i, item in enumerate(raw_steps))
    seen: set[str] = set()
    for i, step in enumerate(steps):
        if step.id in seen:
            raise _fail(where, ("steps", i, "id"), f"duplicate step id {step.id!r}")
        seen.add(step.id)
    return Playbook(name, description, steps, path=path, digest=digest)
