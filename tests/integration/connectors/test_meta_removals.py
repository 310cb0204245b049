"""Meta removals beyond business users: ad accounts, invitations, agencies (documented-shape fake).

Each test lists, revokes, and reads the platform back to confirm the removal.
"""

from __future__ import annotations

from accessguard.connectors.base import Target
from accessguard.connectors.meta import MetaConnector
from accessguard.results import Outcome
from accessguard.secret import Secret
from support.fake_meta import MetaFake


def _connector(meta: MetaFake, http, **settings: object) -> MetaConnector:
    return MetaConnector(
        settings={**meta.settings(), **settings}, secrets={"token": Secret(meta.token)}, http=http
    )


def test_ad_account_assignment_is_listed_and_removed(http) -> None:
    with MetaFake() as meta:
        meta.add_user("ann@example.com", "Ann", ad_tasks=["MANAGE", "ADVERTISE"])
        conn = _connector(meta, http)
        holder = next(h for h in conn.list_holders() if h.email == "ann@example.com")
        assert holder.role == f"business:EMPLOYEE, ad_account/{meta.ad_account_id}:MANAGE+ADVERTISE"

        result = conn.revoke(Target(email="ann@example.com"))

        assert result.details["removed"] == [f"ad_account/{meta.ad_account_id}", "business"]
        assert result.details["confirmed"] is True
        assert "ann@example.com" not in meta.ad_account_emails()


def test_ad_account_id_without_act_prefix_is_completed(http) -> None:
    with MetaFake() as meta:
        meta.add_user("ann@example.com", ad_tasks=["ANALYZE"])
        conn = _connector(meta, http, ad_account_ids=[meta.ad_account_id.removeprefix("act_")])
        conn.revoke(Target(email="ann@example.com"))
        assert meta.ad_account_emails() == set()


def test_pending_invitation_is_listed_and_cancelled(http) -> None:
    with MetaFake() as meta:
        rid = meta.add_invitation("leaver@example.com", role="ADMIN")
        meta.add_invitation("newhire@example.com")
        conn = _connector(meta, http)
        holder = next(h for h in conn.list_holders() if h.email == "leaver@example.com")
        assert (holder.platform_id, holder.role) == (rid, "invited:ADMIN")

        result = conn.revoke(Target(email="leaver@example.com"))

        assert result.outcome is Outcome.CHANGED
        assert result.details["removed"] == ["invitation"]
        assert meta.invited_emails() == {"newhire@example.com"}
        assert conn.revoke(Target(email="leaver@example.com")).outcome is Outcome.UNCHANGED


def test_invited_and_member_both_removed(http) -> None:
    """A person who is a member and also has a second pending invitation loses both."""
    with MetaFake() as meta:
        meta.add_user("ann@example.com", page_tasks=["MANAGE"])
        meta.add_invitation("ann@example.com", role="ADMIN")
        result = _connector(meta, http).revoke(Target(email="ann@example.com"))
        assert sorted(result.details["removed"]) == ["business", "invitation", "page"]
        assert "ann@example.com" not in meta.business_emails() | meta.invited_emails()


def test_page_agency_is_listed_and_removed_by_identities_mapping(http) -> None:
    with MetaFake() as meta:
        agency = meta.add_agency("Acme Social Agency")
        kept = meta.add_agency("Other Partner")
        conn = _connector(meta, http, identities={"contracts@acme.example": agency})
        holder = next(h for h in conn.list_holders() if h.platform_id == agency)
        assert (holder.name, holder.role) == ("Acme Social Agency", "page:agency")

        result = conn.revoke(Target(email="contracts@acme.example"))

        assert result.details["removed"] == ["page agency"]
        assert result.details["confirmed"] is True
        assert set(meta.agencies) == {kept}


def test_an_agency_on_several_assets_is_removed_from_each(http) -> None:
    with MetaFake() as meta:
        assets = [meta.page_id, meta.instagram_id, meta.ad_account_id]
        agency = meta.add_agency("Acme", assets=assets)
        conn = _connector(meta, http, identities={"contracts@acme.example": agency})
        holder = next(h for h in conn.list_holders() if h.platform_id == agency)
        assert holder.role == (
            f"page:agency, instagram:agency, ad_account/{meta.ad_account_id}:agency"
        )

        result = conn.revoke(Target(email="contracts@acme.example"))

        assert result.details["removed"] == [
            "page agency",
            "instagram agency",
            f"ad_account/{meta.ad_account_id} agency",
        ]
        assert [meta.asset_agencies[a] for a in assets] == [{}, {}, {}]


def test_agencies_and_invitations_can_be_left_alone(http) -> None:
    with MetaFake() as meta:
        meta.add_agency("Acme")
        meta.add_invitation("x@example.com")
        conn = _connector(meta, http, agencies=False, pending_invitations=False)
        assert conn.list_holders() == []


def test_a_removal_that_did_not_take_is_not_confirmed(http) -> None:
    """The read-back is real: Meta says success but the invitation is still pending."""
    with MetaFake() as meta:
        meta.add_invitation("leaver@example.com")
        meta.deletes_ignored = True
        result = _connector(meta, http).revoke(Target(email="leaver@example.com"))
        assert result.details["confirmed"] is False
