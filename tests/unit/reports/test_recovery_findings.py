"""Recovery-channel findings: leavers, unknown holders, personal contacts; one fact, one finding."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from accessguard.reports.findings import collect_findings
from accessguard.reports.findings.recovery import normalise_phone, recovery_findings
from support import rows
from support.findings import context, kinds


def _brand(conn: Connection, **values: object) -> int:
    return rows.account(conn, "brand", "facebook", **values)


def _found(conn: Connection) -> dict[str, str]:
    return kinds(recovery_findings(context(conn)))


def test_recovery_email_of_a_departed_persons_personal_address_is_critical(
    conn: Connection,
) -> None:
    rows.person(conn, "chloe@example.com", status="departed", personal_email="chloe@home.test")
    _brand(conn, recovery_email="Chloe@Home.test")
    assert _found(conn) == {"recovery-leaver": "critical"}


def test_recovery_email_of_a_leaving_persons_personal_address_is_high(conn: Connection) -> None:
    rows.person(conn, "chloe@example.com", status="leaving", personal_email="chloe@home.test")
    _brand(conn, recovery_email="chloe@home.test")
    assert _found(conn) == {"recovery-leaver": "high"}


def test_recovery_email_of_a_leavers_work_address_is_a_leaver_finding(conn: Connection) -> None:
    rows.person(conn, "chloe@example.com", status="leaving")
    _brand(conn, recovery_email="chloe@example.com")
    assert _found(conn) == {"recovery-leaver": "high"}


def test_recorded_company_flag_does_not_hide_a_leaver(conn: Connection) -> None:
    rows.person(conn, "chloe@example.com", status="departed")
    _brand(conn, recovery_email="chloe@example.com", recovery_email_company=True)
    assert _found(conn) == {"recovery-leaver": "critical"}


def test_recovery_phone_of_a_leaver_matches_in_another_format(conn: Connection) -> None:
    rows.person(conn, "dan@example.com", status="leaving", personal_phone="+33 6 12 34 56 78")
    _brand(conn, recovery_phone="0033 (6) 12-34-56-78")
    assert _found(conn) == {"recovery-leaver": "high"}


def test_leaver_finding_names_the_person_not_their_personal_contact(conn: Connection) -> None:
    rows.person(conn, "chloe@example.com", status="departed", personal_email="chloe@home.test")
    _brand(conn, recovery_email="chloe@home.test")
    finding = next(recovery_findings(context(conn)))
    assert "chloe@home.test" not in finding.message


def test_leaver_finding_is_attached_to_the_person(conn: Connection) -> None:
    rows.person(conn, "chloe@example.com", status="departed", personal_email="chloe@home.test")
    _brand(conn, recovery_email="chloe@home.test")
    assert next(recovery_findings(context(conn))).person == "chloe@example.com"


def test_recovery_email_nobody_holds_is_unknown(conn: Connection) -> None:
    _brand(conn, recovery_email="me@gmail.com")
    assert _found(conn) == {"recovery-unknown": "medium"}


def test_recovery_phone_nobody_holds_is_unknown(conn: Connection) -> None:
    _brand(conn, recovery_phone="+44 20 7946 0000")
    assert _found(conn) == {"recovery-unknown": "medium"}


def test_recovery_email_of_an_active_persons_personal_address_is_not_company(
    conn: Connection,
) -> None:
    rows.person(conn, "ann@example.com", personal_email="ann@home.test")
    _brand(conn, recovery_email="ann@home.test")
    assert _found(conn) == {"recovery-not-company": "medium"}


def test_recorded_company_flag_wins_over_the_domain(conn: Connection) -> None:
    _brand(conn, recovery_email="social@example.com", recovery_email_company=False)
    assert _found(conn) == {"recovery-unknown": "medium"}


def test_recovery_email_on_a_company_domain_is_no_finding(conn: Connection) -> None:
    _brand(conn, recovery_email="social@example.com")
    assert _found(conn) == {}


def test_recovery_phone_with_a_company_prefix_is_no_finding(conn: Connection) -> None:
    _brand(conn, recovery_phone="+1 555 0100")
    assert _found(conn) == {}


def test_active_persons_work_email_is_no_finding(conn: Connection) -> None:
    rows.person(conn, "ann@example.com")
    _brand(conn, recovery_email="ann@example.com")
    assert _found(conn) == {}


def test_email_and_phone_of_leavers_make_one_finding_at_the_worst_severity(
    conn: Connection,
) -> None:
    rows.person(conn, "chloe@example.com", status="departed", personal_email="chloe@home.test")
    rows.person(conn, "dan@example.com", status="leaving", personal_phone="+44 20 7946 0001")
    _brand(conn, recovery_email="chloe@home.test", recovery_phone="+44 20 7946 0001")
    found = list(recovery_findings(context(conn)))
    assert [(f.kind, f.severity.label) for f in found] == [("recovery-leaver", "critical")]


def test_one_fact_is_reported_once_across_all_rules(conn: Connection) -> None:
    rows.person(conn, "chloe@example.com", status="departed", personal_email="chloe@home.test")
    _brand(conn, recovery_email="chloe@home.test")
    recovery = [f.kind for f in collect_findings(context(conn)) if f.kind.startswith("recovery")]
    assert recovery == ["recovery-leaver"]


def test_phones_normalise_to_digits_with_the_country_prefix() -> None:
    assert normalise_phone("00 33 (6) 12-34") == normalise_phone("+33 6 1234")
