"""Meta findings from the recorded lock-out scan: admins, the 2FA requirement, admins' 2FA,
pending email changes; each fires on its fact and stays quiet without it."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from accessguard.connectors.meta_lockout import BusinessUserFacts, MetaLockout
from accessguard.reports.findings import KINDS, RULES
from accessguard.reports.findings.meta import meta_findings
from accessguard.reports.lockout import record_meta_scan, recorded_meta_scans
from support import rows
from support.findings import context
from support.rows import NOW


def _user(
    uid: str,
    email: str,
    *,
    role: str = "ADMIN",
    status: str | None = "enabled",
    pending: str | None = None,
) -> BusinessUserFacts:
    return BusinessUserFacts(uid, email.split("@")[0], email, role, status, pending)


ANN = _user("1", "ann@example.com")
BOB = _user("2", "bob@example.com")


def _scan(
    conn: Connection,
    *users: BusinessUserFacts,
    required: str | None = "all_required",
    account: str = "nw-meta",
    business: str = "4411",
) -> None:
    account_id = rows.account(conn, account, "meta-business")
    facts = MetaLockout(business, "Northwind Brands", required, users)
    record_meta_scan(conn, account_id, business=facts, now=NOW)


def _found(conn: Connection) -> set[tuple[str, str, str]]:
    return {(f.kind, f.subject_id, f.severity.label) for f in meta_findings(context(conn))}


def test_no_scan_is_no_finding(conn: Connection) -> None:
    rows.account(conn, "nw-meta", "meta-business")
    assert _found(conn) == set()


def test_two_admins_with_2fa_required_for_all_is_no_finding(conn: Connection) -> None:
    _scan(conn, ANN, BOB, _user("3", "cat@example.com", role="EMPLOYEE", status=None))
    assert _found(conn) == set()


def test_a_single_admin_is_high(conn: Connection) -> None:
    _scan(conn, ANN, _user("3", "cat@example.com", role="EMPLOYEE"))
    assert _found(conn) == {("meta-few-admins", "nw-meta", "high")}


def test_no_admin_at_all_is_high(conn: Connection) -> None:
    _scan(conn)
    assert _found(conn) == {("meta-few-admins", "nw-meta", "high")}


def test_2fa_required_for_nobody_is_high(conn: Connection) -> None:
    _scan(conn, ANN, BOB, required="none")
    assert _found(conn) == {("meta-2fa-not-required", "nw-meta", "high")}


def test_2fa_required_for_admins_only_is_medium(conn: Connection) -> None:
    _scan(conn, ANN, BOB, required="admin_required")
    assert _found(conn) == {("meta-2fa-not-required", "nw-meta", "medium")}


def test_an_unreported_requirement_is_medium(conn: Connection) -> None:
    """Meta omitted ``two_factor_type``: not confirmed, so reported, not passed."""
    _scan(conn, ANN, BOB, required=None)
    assert _found(conn) == {("meta-2fa-not-required", "nw-meta", "medium")}


def test_an_admin_without_2fa_is_high(conn: Connection) -> None:
    _scan(conn, ANN, _user("2", "bob@example.com", status="not_enabled"))
    assert _found(conn) == {("meta-admin-no-2fa", "nw-meta/bob@example.com", "high")}


def test_an_admin_whose_2fa_status_is_not_reported_is_high(conn: Connection) -> None:
    _scan(conn, ANN, _user("2", "bob@example.com", status=None))
    assert _found(conn) == {("meta-admin-no-2fa", "nw-meta/bob@example.com", "high")}


def test_the_2fa_status_is_read_case_insensitively(conn: Connection) -> None:
    _scan(conn, ANN, _user("2", "bob@example.com", status="ENABLED"))
    assert _found(conn) == set()


def test_an_employee_without_2fa_is_no_admin_finding(conn: Connection) -> None:
    _scan(conn, ANN, BOB, _user("3", "cat@example.com", role="EMPLOYEE", status="not_enabled"))
    assert _found(conn) == set()


def test_a_pending_email_change_is_high_for_anyone(conn: Connection) -> None:
    cat = _user("3", "cat@example.com", role="EMPLOYEE", pending="cat.new@mail.test")
    _scan(conn, ANN, BOB, cat)
    assert _found(conn) == {("meta-pending-email", "nw-meta/cat@example.com", "high")}


def test_a_pending_email_change_names_the_unknown_address(conn: Connection) -> None:
    _scan(conn, ANN, _user("2", "bob@example.com", pending="attacker@mail.test"))
    (finding,) = meta_findings(context(conn))
    assert "attacker@mail.test" in finding.message


def test_a_pending_personal_email_is_named_by_its_owner_not_shown(conn: Connection) -> None:
    rows.person(conn, "dan@example.com", status="departed", personal_email="dan@home.test")
    _scan(conn, ANN, _user("2", "bob@example.com", pending="dan@home.test"))
    (finding,) = meta_findings(context(conn))
    assert "dan@home.test" not in finding.message
    assert "personal email of dan@example.com (departed)" in finding.message


def test_accounts_of_one_business_report_it_once(conn: Connection) -> None:
    """A portfolio, its Page and its Instagram account share one business: one finding each."""
    for name in ("nw-meta", "nw-facebook", "nw-instagram"):
        _scan(conn, ANN, required="none", account=name)
    assert _found(conn) == {
        ("meta-few-admins", "nw-facebook", "high"),
        ("meta-2fa-not-required", "nw-facebook", "high"),
    }


def test_two_businesses_are_reported_apart(conn: Connection) -> None:
    _scan(conn, ANN, BOB, account="nw-meta", business="4411")
    _scan(conn, ANN, account="other-meta", business="5522")
    assert _found(conn) == {("meta-few-admins", "other-meta", "high")}


def test_a_new_scan_replaces_the_last(conn: Connection) -> None:
    account = rows.account(conn, "nw-meta", "meta-business")
    before = MetaLockout("4411", None, "none", (ANN,))
    record_meta_scan(conn, account, business=before, now=NOW)
    after = MetaLockout("4411", None, "all_required", (ANN, BOB))
    record_meta_scan(conn, account, business=after, now=NOW)
    assert _found(conn) == set()


def test_the_scan_reads_back_as_recorded(conn: Connection) -> None:
    cat = _user("3", "cat@example.com", role="EMPLOYEE", status=None, pending="c@mail.test")
    _scan(conn, ANN, cat, required="admin_required")
    (scan,) = recorded_meta_scans(conn)
    assert scan.business == MetaLockout("4411", "Northwind Brands", "admin_required", (ANN, cat))


def test_every_meta_kind_is_listed_and_its_rule_runs() -> None:
    assert {k for k in KINDS if k.startswith("meta-")} == {
        "meta-few-admins",
        "meta-2fa-not-required",
        "meta-admin-no-2fa",
        "meta-pending-email",
    }
    assert meta_findings in RULES


def test_hostile_platform_strings_stay_one_line_and_fit_their_columns() -> None:
    from accessguard.connectors.meta_lockout import lockout_facts

    facts = lockout_facts(
        "4411",
        {"name": "Evil\nCorp\x1b[31m", "two_factor_type": "x" * 500},
        [
            {"id": "1", "email": "A@B.test\r\n", "pending_email": "p" * 1000},
            "junk",
            {"name": "no id"},
        ],
    )
    (user,) = facts.users
    assert facts.business_name == "Evil Corp [31m"
    assert len(facts.two_factor_type or "") == 64
    assert user.email == "a@b.test"
    assert len(user.pending_email or "") == 320
