"""Google Workspace super admins (Directory API) against a fake shaped from its discovery document."""

from __future__ import annotations

import pytest

from accessguard.connectors.base import Target
from accessguard.connectors.google_workspace import GoogleWorkspaceConnector, SuperAdmin
from accessguard.connectors.registry import connector_class, connector_name
from accessguard.errors import PermanentConnectorError
from accessguard.results import Outcome
from accessguard.secret import Secret
from support.fake_workspace import WorkspaceFake


def _connector(fake: WorkspaceFake, http, **settings: object) -> GoogleWorkspaceConnector:
    return GoogleWorkspaceConnector(
        settings={"base_url": fake.url, **settings},
        secrets={"token": Secret(fake.token)},
        http=http,
    )


def test_lists_super_admins_with_2sv_and_recovery_over_pages(http) -> None:
    with WorkspaceFake(page_size=2) as fake:
        fake.add_user("ann@example.com", recovery_email="ann.home@mail.test")
        fake.add_user("bob@example.com", enrolled_2sv=False, recovery_phone="+16506661212")
        fake.add_user("cat@example.com", admin=False, recovery_email="cat@mail.test")
        fake.add_user("Dan@example.com")
        admins = _connector(fake, http).super_admins()
    assert admins == [
        SuperAdmin("ann@example.com", True, "ann.home@mail.test", None),
        SuperAdmin("bob@example.com", False, None, "+16506661212"),
        SuperAdmin("dan@example.com", True, None, None),
    ]


def test_a_large_tenant_is_searched_for_super_admins_not_read_whole(http) -> None:
    with WorkspaceFake() as fake:
        for n in range(1200):
            fake.add_user(f"user{n}@example.com", admin=n in (7, 900))
        admins = _connector(fake, http).super_admins()
    assert (len(admins), fake.pages_served) == (2, 1)


def test_domain_setting_lists_that_domains_super_admins(http) -> None:
    with WorkspaceFake() as fake:
        fake.add_user("ann@example.com")
        admins = _connector(fake, http, domain="example.com").super_admins()
    assert [a.email for a in admins] == ["ann@example.com"]


def test_holders_are_super_admins_and_revoke_is_a_manual_step(http) -> None:
    with WorkspaceFake() as fake:
        fake.add_user("ann@example.com")
        conn = _connector(fake, http)
        holders = conn.list_holders()
        result = conn.revoke(Target(email="ann@example.com"))
    assert [(h.email, h.role) for h in holders] == [("ann@example.com", "super-admin")]
    assert result.outcome is Outcome.WAITING


def test_a_wrong_customer_is_refused_with_googles_message(http) -> None:
    with WorkspaceFake() as fake:
        conn = _connector(fake, http, customer_id="C999")
        with pytest.raises(PermanentConnectorError, match="Not Authorized"):
            conn.super_admins()


def test_registered_with_settings_and_the_official_host() -> None:
    cls = connector_class("google_workspace")
    assert cls.official_hosts == ("admin.googleapis.com",)
    assert {s.name for s in cls.settings_spec} >= {"customer_id", "domain"}


def test_the_google_workspace_platform_defaults_to_it() -> None:
    class Account:
        name, platform, handle, connector, settings = "ws", "google-workspace", "ex", None, None

    assert connector_name(Account()) == "google_workspace"
