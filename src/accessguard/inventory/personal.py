"""Personal contacts (the HR feed's ``personal_email`` / ``personal_phone``): personal data.

They exist to find accounts whose recovery channel belongs to a leaver. Shown by
``people show`` only; a diff that is printed or audited carries a mask, never the value.
"""

from __future__ import annotations

from typing import Any

PERSONAL_FIELDS = ("personal_email", "personal_phone")
PERSONAL_MASK = "(personal)"


def mask_personal(diff: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """A {field: [before, after]} diff with personal values replaced by a mask (set or not)."""
    return {
        name: [PERSONAL_MASK if v else v for v in pair] if name in PERSONAL_FIELDS else pair
        for name, pair in diff.items()
    }


def person_contacts(person: Any) -> dict[str, str | None]:
    """A person's personal contacts (a ``PersonRecord``), for ``people show`` only."""
    return {name: getattr(person, name) for name in PERSONAL_FIELDS}
