"""Edit a running scim2-server directly (as another admin would, outside accessguard)."""

from __future__ import annotations

from typing import Any

import requests


def scim_headers(token: str) -> dict[str, str]:
    """Bearer auth and the SCIM media type."""
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}


def add_user(scim: Any, user_name: str, *, active: bool = True) -> str:
    """Create a user on the server; return its SCIM id."""
    response = requests.post(
        f"{scim.url}/Users",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": user_name,
            "displayName": user_name.split("@")[0].title(),
            "emails": [{"value": user_name, "primary": True}],
            "active": active,
        },
        headers=scim_headers(scim.token),
        timeout=5,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def server_user(scim: Any, user_id: str) -> dict[str, Any] | None:
    """The user as the server holds it, or None once deleted."""
    response = requests.get(
        f"{scim.url}/Users/{user_id}", headers=scim_headers(scim.token), timeout=5
    )
    return None if response.status_code == 404 else response.json()


def set_roles(scim: Any, user_id: str, roles: list[str]) -> None:
    """Give the user these roles (the core ``roles`` attribute), as an admin would on the platform."""
    response = requests.patch(
        f"{scim.url}/Users/{user_id}",
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "replace", "path": "roles", "value": [{"value": r} for r in roles]}
            ],
        },
        headers=scim_headers(scim.token),
        timeout=5,
    )
    assert response.status_code in (200, 204), response.text
