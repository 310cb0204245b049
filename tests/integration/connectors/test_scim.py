"""The SCIM connector against a real scim2-server: find, deactivate, idempotence, 404, 412."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from accessguard.connectors.base import Target
from accessguard.connectors.http import HttpClient, PlatformRefusedError
from accessguard.connectors.scim import ScimConnector
from accessguard.results import Outcome
from accessguard.secret import Secret
from support.egress import allowed_hosts
from support.scim_users import add_user, scim_headers, server_user


def connector(scim: Any, http: HttpClient, **settings: Any) -> ScimConnector:
    return ScimConnector(
        settings={"base_url": scim.url, **settings},
        secrets={"token": Secret(scim.token)},
        http=http,
    )


def test_find_and_list(scim, http) -> None:
    uid = add_user(scim, "ann@example.com")
    add_user(scim, "bob@example.com", active=False)
    conn = connector(scim, http)
    assert conn.find("ann@example.com")["id"] == uid
    assert conn.find('nobody"@example.com') is None
    holders = {h.email: h for h in conn.list_holders()}
    assert set(holders) == {"ann@example.com", "bob@example.com"}
    assert holders["ann@example.com"].active and not holders["bob@example.com"].active
    assert conn.check().outcome is Outcome.UNCHANGED


def test_deactivate_then_again_is_unchanged(scim, http) -> None:
    uid = add_user(scim, "ann@example.com")
    conn = connector(scim, http)
    first = conn.revoke(Target(email="ann@example.com"))
    assert first.outcome is Outcome.CHANGED
    assert server_user(scim, uid)["active"] is False
    second = conn.revoke(Target(email="ann@example.com"))
    assert second.outcome is Outcome.UNCHANGED
    assert server_user(scim, uid)["active"] is False


def test_missing_user_is_unchanged(scim, http) -> None:
    conn = connector(scim, http)
    assert conn.revoke(Target(email="ghost@example.com")).outcome is Outcome.UNCHANGED
    # By a stale SCIM id (deleted on the server): still unchanged, not an error.
    assert (
        conn.revoke(Target(email="x@example.com", platform_id="0" * 32)).outcome
        is Outcome.UNCHANGED
    )


def test_delete_mode_removes_the_user(scim, http) -> None:
    uid = add_user(scim, "ann@example.com")
    conn = connector(scim, http, revoke_mode="delete")
    assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.CHANGED
    assert server_user(scim, uid) is None
    assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.UNCHANGED


def test_identities_map_email_to_user_name(scim, http) -> None:
    uid = add_user(scim, "a.smith")
    conn = connector(scim, http, identities={"ann@example.com": "a.smith"})
    assert conn.revoke(Target(email="ann@example.com")).outcome is Outcome.CHANGED
    assert server_user(scim, uid)["active"] is False


class RacingAdapter(HTTPAdapter):
    """Before the first PATCH leaves, someone else edits the user on the server."""

    def __init__(self, scim: Any, edit: dict[str, Any]) -> None:
        super().__init__()
        self.scim, self.edit, self.raced = scim, edit, 0

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
        if request.method == "PATCH" and not self.raced:
            self.raced += 1
            user_id = request.url.rsplit("/", 1)[-1]
            edit = requests.patch(
                f"{self.scim.url}/Users/{user_id}",
                json={
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "replace", **self.edit}],
                },
                headers=scim_headers(self.scim.token),
                timeout=5,
            )
            assert edit.status_code in (200, 204)
        return super().send(request, **kwargs)


def _racing_client(scim: Any, edit: dict[str, Any]) -> tuple[HttpClient, RacingAdapter]:
    client = HttpClient(allowed_hosts=allowed_hosts())
    adapter = RacingAdapter(scim, edit)
    client.session.mount("http://", adapter)
    adapter.statuses = []  # type: ignore[attr-defined]
    client.session.hooks["response"].append(
        lambda r, *a, **k: adapter.statuses.append((r.request.method, r.status_code))  # type: ignore[attr-defined]
    )
    return client, adapter


def test_stale_etag_412_is_reread_and_retried(scim) -> None:
    uid = add_user(scim, "ann@example.com")
    client, adapter = _racing_client(scim, {"path": "displayName", "value": "Ann (edited)"})
    conn = connector(scim, client)
    result = conn.revoke(Target(email="ann@example.com"))
    assert adapter.raced == 1
    assert ("PATCH", 412) in adapter.statuses  # the server refused the stale ETag
    assert result.outcome is Outcome.CHANGED
    user = server_user(scim, uid)
    assert user["active"] is False and user["displayName"] == "Ann (edited)"


def test_stale_etag_because_someone_else_deactivated_is_unchanged(scim) -> None:
    uid = add_user(scim, "ann@example.com")
    client, _ = _racing_client(scim, {"path": "active", "value": False})
    result = connector(scim, client).revoke(Target(email="ann@example.com"))
    assert result.outcome is Outcome.UNCHANGED
    assert server_user(scim, uid)["active"] is False


def test_wrong_token_is_a_permanent_error_without_the_token(scim, http) -> None:
    conn = ScimConnector(
        settings={"base_url": scim.url},
        secrets={"token": Secret("wrong-scim-token-123")},
        http=http,
    )
    with pytest.raises(PlatformRefusedError) as info:
        conn.list_holders()
    assert info.value.status == 401
    assert "wrong-scim-token-123" not in str(info.value)
