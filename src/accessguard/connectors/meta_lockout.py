"""What a Meta business shows about lock-out: its 2FA requirement and each business user's
2FA status and pending email change.

Two Graph API reads (the node specs ``Business.json`` and ``BusinessUser.json`` of
facebook-business-sdk-codegen, v25.0):

- ``GET /{business_id}?fields=id,name,two_factor_type``: the business-wide requirement,
  one of ``TWO_FACTOR_TYPES`` (the enum ``business_two_factor_type``);
- ``GET /{business_id}/business_users?fields=id,name,email,role,two_fac_status,pending_email``:
  each person's role (``ADMIN`` has full control), ``two_fac_status`` and the address an
  email change waits to be verified for (``pending_email``).

Meta documents ``two_fac_status`` as a string without listing its values: only
``enabled`` (any case) counts as on, so an unexpected value is shown, never passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: ``two_factor_type`` values (``business_two_factor_type`` in ``enum_types.json``).
TWO_FACTOR_TYPES = ("admin_required", "all_required", "none")
BUSINESS_FIELDS = "id,name,two_factor_type"
USER_FIELDS = "id,name,email,role,two_fac_status,pending_email"
ADMIN_ROLE = "ADMIN"
TWO_FAC_ON = "enabled"

# Column widths of ``meta_scans`` / ``meta_business_users``: a longer platform value is
# cut, not refused by the database halfway through recording a scan.
_WIDTHS = {"id": 64, "name": 200, "email": 320, "role": 64, "status": 64}


def _text(value: Any, width: str) -> str | None:
    """A platform string on one printable line, cut to its column's width; None for empty."""
    if value is None or value == "":
        return None
    text = "".join(ch if ch.isprintable() else " " for ch in str(value)).strip()
    return text[: _WIDTHS[width]] or None


@dataclass(frozen=True, slots=True)
class BusinessUserFacts:
    """One business user as Graph shows them (``pending_email``: a change not yet verified)."""

    user_id: str
    name: str | None
    email: str | None
    role: str | None
    two_fac_status: str | None
    pending_email: str | None

    @property
    def is_admin(self) -> bool:
        """Full control of the business (the ``ADMIN`` role)."""
        return (self.role or "").upper() == ADMIN_ROLE

    @property
    def two_factor_on(self) -> bool:
        """Meta reports two-factor authentication as enabled for them."""
        return (self.two_fac_status or "").lower() == TWO_FAC_ON

    @property
    def label(self) -> str:
        """How findings name them: email, else name, else Graph id."""
        return self.email or self.name or f"user {self.user_id}"


@dataclass(frozen=True, slots=True)
class MetaLockout:
    """A business's 2FA requirement and its business users, as one scan saw them."""

    business_id: str
    business_name: str | None
    two_factor_type: str | None
    users: tuple[BusinessUserFacts, ...]

    @property
    def admins(self) -> tuple[BusinessUserFacts, ...]:
        """The business users with full control."""
        return tuple(u for u in self.users if u.is_admin)


def business_user(raw: Mapping[str, Any]) -> BusinessUserFacts:
    """A business user from a ``business_users`` item."""
    email = _text(raw.get("email"), "email")
    pending = _text(raw.get("pending_email"), "email")
    return BusinessUserFacts(
        user_id=_text(raw.get("id"), "id") or "",
        name=_text(raw.get("name"), "name"),
        email=email.lower() if email else None,
        role=_text(raw.get("role"), "role"),
        two_fac_status=_text(raw.get("two_fac_status"), "status"),
        pending_email=pending.lower() if pending else None,
    )


def lockout_facts(
    business_id: str, node: Mapping[str, Any], users: Iterable[Mapping[str, Any]]
) -> MetaLockout:
    """The scan of one business from its node and its ``business_users``."""
    return MetaLockout(
        business_id=business_id,
        business_name=_text(node.get("name"), "name"),
        two_factor_type=_text(node.get("two_factor_type"), "status"),
        users=tuple(business_user(u) for u in users if isinstance(u, Mapping) and u.get("id")),
    )
