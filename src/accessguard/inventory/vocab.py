"""The inventory's fixed vocabularies, free of SQLAlchemy so CLI choices can use them."""

from __future__ import annotations

PERSON_KINDS = ("employee", "contractor", "agency")
PERSON_STATUSES = ("active", "leaving", "departed")
CRITICALITIES = ("low", "medium", "high", "critical")
GRANT_VIAS = ("platform-role", "suite-seat", "shared-login")
ADMIN_ROLES = ("admin", "owner", "full-control", "superadmin", "manager")


def is_admin_role(role: str) -> bool:
    """True when ``role`` administers the account (any case)."""
    return role.lower() in ADMIN_ROLES


PLATFORMS = (
    "facebook",
    "instagram",
    "meta-business",
    "linkedin",
    "x",
    "tiktok",
    "youtube",
    "pinterest",
    "google-business-profile",
    "google-workspace",
    "google-ads",
    "google-merchant-center",
    "reddit",
    "hootsuite",
    "sprout-social",
    "scim",
    "okta",
    "other",
    "bluesky",
)
