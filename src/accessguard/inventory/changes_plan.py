"""What an update of one record plans and audits: ``{field: [before, after]}`` and the why.

``accounts update``, ``people update`` and ``people cancel-leave`` (and the HR feed, and
archiving) show the same diff in a dry run that they then write and audit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def field_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The fields of ``after`` whose value differs from ``before``'s: {field: [before, after]}."""
    return {name: [before[name], value] for name, value in after.items() if value != before[name]}


def with_reason(details: dict[str, Any], reason: str | None) -> dict[str, Any]:
    """An audit event's ``details``, with the operator's ``reason`` when one was given."""
    return details | ({"reason": reason} if reason else {})
