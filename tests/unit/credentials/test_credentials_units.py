"""The credentials layer's reads and writes on in-memory SQLite: exposure, seeds, versions, sync history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, create_engine, insert, select

from accessguard.clock import FixedClock
from accessguard.credentials.exposure import exported_seed_accounts, exposed_credentials
from accessguard.credentials.identity import membership_changes
from accessguard.credentials.observers import acting_person, operator, require_reason
from accessguard.credentials.records import (
    find_credential,
    get_credential,
    get_totp_key,
)
from accessguard.credentials.status import credential_status
from accessguard.credentials.versions import add_versions, mark_version, set_current
from accessguard.db import tables
from accessguard.errors import InputError, NotFoundError, UsageError
from accessguard.inventory.records import AccountRecord, find_account_record

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def conn() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    tables.metadata.create_all(engine)
    with engine.begin() as connection:
        yield connection
    engine.dispose()


def person(conn: Connection, email: str) -> int:
    values = {"email": email, "name": email, "created_at": T0, "updated_at": T0}
    return int(conn.execute(insert(tables.people).values(values)).inserted_primary_key[0])


def account(conn: Connection, name: str) -> AccountRecord:
    values = {
        "name": name,
        "platform": "x",
        "handle": f"@{name}",
        "created_at": T0,
        "updated_at": T0,
    }
    account_id = int(conn.execute(insert(tables.accounts).values(values)).inserted_primary_key[0])
    found = find_account_record(conn, name)
    assert found is not None and found.id == account_id
    return found


def credential(conn: Connection, account_id: int, *, version: int = 1) -> int:
    values = {
        "account_id": account_id,
        "vault_path": f"secret/{account_id}",
        "current_version": version,
        "state": "active",
        "created_at": T0,
    }
    return int(conn.execute(insert(tables.credentials).values(values)).inserted_primary_key[0])


def version_row(
    conn: Connection,
    credential_id: int,
    version: int,
    *,
    start: datetime,
    end: datetime | None = None,
    restored_from: int | None = None,
) -> None:
    conn.execute(
        insert(tables.credential_versions).values(
            credential_id=credential_id,
            version=version,
            created_at=start,
            superseded_at=end,
            state="active" if end is None else "superseded",
            restored_from=restored_from,
        )
    )


def membership(
    conn: Connection, person_id: int, account_id: int, start: datetime, end: datetime | None
) -> None:
    conn.execute(
        insert(tables.vault_memberships).values(
            person_id=person_id, account_id=account_id, added_at=start, removed_at=end
        )
    )


def seen(conn: Connection, person_id: int, *, credential_id: int, version: int) -> None:
    conn.execute(
        insert(tables.exposures).values(
            person_id=person_id,
            credential_id=credential_id,
            kind="reveal",
            version=version,
            occurred_at=T0,
        )
    )


def totp_key(conn: Connection, account_id: int, **values: object) -> int:
    row = {
        "account_id": account_id,
        "key_name": f"key-{account_id}",
        "generation": 1,
        "enrolled_at": T0,
        "enrolled_by": "setup",
        "exported": False,
        "personal_device": False,
    } | values
    return int(conn.execute(insert(tables.totp_keys).values(row)).inserted_primary_key[0])


def seed_export(conn: Connection, person_id: int, key_id: int, version: int) -> None:
    conn.execute(
        insert(tables.exposures).values(
            person_id=person_id,
            totp_key_id=key_id,
            kind="seed-export",
            version=version,
            occurred_at=T0,
        )
    )


# -- exposure -----------------------------------------------------------------------------


def test_group_membership_while_the_version_is_current_is_possible_exposure(
    conn: Connection,
) -> None:
    ann, acct = person(conn, "ann@example.com"), account(conn, "brand-x")
    cred = credential(conn, acct.id)
    version_row(conn, cred, 1, start=T0)
    membership(conn, ann, acct.id, T0 + timedelta(hours=1), None)
    assert [e.via for e in exposed_credentials(conn, ann)] == [("vault-group",)]


def test_membership_ended_before_the_version_is_no_exposure(conn: Connection) -> None:
    ann, acct = person(conn, "ann@example.com"), account(conn, "brand-x")
    cred = credential(conn, acct.id, version=2)
    version_row(conn, cred, 1, start=T0, end=T0 + timedelta(days=2))
    version_row(conn, cred, 2, start=T0 + timedelta(days=2))
    membership(conn, ann, acct.id, T0, T0 + timedelta(days=1))
    assert exposed_credentials(conn, ann) == []


def test_a_restored_version_counts_as_the_version_it_restored(conn: Connection) -> None:
    ann, acct = person(conn, "ann@example.com"), account(conn, "brand-x")
    cred = credential(conn, acct.id, version=3)
    version_row(conn, cred, 1, start=T0, end=T0 + timedelta(days=1))
    version_row(conn, cred, 2, start=T0 + timedelta(days=1), end=T0 + timedelta(days=2))
    version_row(conn, cred, 3, start=T0 + timedelta(days=2), restored_from=1)
    seen(conn, ann, credential_id=cred, version=1)
    assert [e.observed for e in exposed_credentials(conn, ann)] == [True]


def test_observed_only_leaves_out_possible_exposure(conn: Connection) -> None:
    ann, acct = person(conn, "ann@example.com"), account(conn, "brand-x")
    cred = credential(conn, acct.id)
    version_row(conn, cred, 1, start=T0)
    membership(conn, ann, acct.id, T0, None)
    assert exposed_credentials(conn, ann, observed_only=True) == []


def test_seed_export_of_the_current_generation_is_listed(conn: Connection) -> None:
    ann, acct = person(conn, "ann@example.com"), account(conn, "brand-x")
    key = totp_key(conn, acct.id, generation=2)
    seed_export(conn, ann, key, 2)
    assert [s.name for s in exported_seed_accounts(conn, ann)] == ["brand-x"]


def test_seed_export_of_a_pending_generation_is_listed(conn: Connection) -> None:
    ann, acct = person(conn, "ann@example.com"), account(conn, "brand-x")
    key = totp_key(conn, acct.id, generation=1, pending_generation=2, pending_key_name="k2")
    seed_export(conn, ann, key, 2)
    assert [s.name for s in exported_seed_accounts(conn, ann)] == ["brand-x"]


def test_seed_export_of_a_replaced_generation_is_not_listed(conn: Connection) -> None:
    ann, acct = person(conn, "ann@example.com"), account(conn, "brand-x")
    key = totp_key(conn, acct.id, generation=2)
    seed_export(conn, ann, key, 1)
    assert exported_seed_accounts(conn, ann) == []


# -- records and versions -----------------------------------------------------------------


def test_no_credential_is_none(conn: Connection) -> None:
    assert find_credential(conn, account(conn, "brand-x").id) is None


def test_get_credential_names_the_fix(conn: Connection) -> None:
    acct = account(conn, "brand-x")
    with pytest.raises(NotFoundError) as raised:
        get_credential(conn, acct)
    assert "creds set brand-x" in (raised.value.hint or "")


def test_a_retired_seed_is_not_in_custody(conn: Connection) -> None:
    acct = account(conn, "brand-x")
    totp_key(conn, acct.id, retired_at=T0)
    with pytest.raises(NotFoundError):
        get_totp_key(conn, acct)


def test_set_current_points_the_credential_at_the_version(conn: Connection) -> None:
    acct = account(conn, "brand-x")
    cred = credential(conn, acct.id)
    set_current(conn, cred, version=2, previous=1, state="rotation-pending", at=T0, by="t")
    found = get_credential(conn, acct)
    assert (found.current_version, found.previous_version, found.pending) == (2, 1, True)


def test_a_new_active_version_supersedes_the_open_active_one(conn: Connection) -> None:
    cred = credential(conn, account(conn, "brand-x").id)
    clock = FixedClock(T0)
    add_versions(conn, clock, versions=[(cred, 1, None)], state="active", actor="t", reason="set")
    add_versions(conn, clock, versions=[(cred, 2, "k")], state="active", actor="t", reason="set")
    cv = tables.credential_versions.c
    states = dict(conn.execute(select(cv.version, cv.state)).all())
    assert states == {1: "superseded", 2: "active"}


def test_mark_version_sets_one_rows_state(conn: Connection) -> None:
    cred = credential(conn, account(conn, "brand-x").id)
    version_row(conn, cred, 1, start=T0)
    mark_version(conn, cred, version=1, state="rolled-back")
    cv = tables.credential_versions.c
    assert conn.execute(select(cv.state)).scalar_one() == "rolled-back"


def test_status_reads_the_current_versions_row(conn: Connection) -> None:
    acct = account(conn, "brand-x")
    cred = credential(conn, acct.id, version=2)
    version_row(conn, cred, 1, start=T0, end=T0 + timedelta(days=1))
    version_row(conn, cred, 2, start=T0 + timedelta(days=1))
    (row,) = credential_status(conn, acct)
    assert row["current_since"] == (T0 + timedelta(days=1)).isoformat()


def test_status_of_an_account_without_a_login_is_not_found(conn: Connection) -> None:
    acct = account(conn, "brand-x")
    with pytest.raises(NotFoundError):
        credential_status(conn, acct)


# -- Vault group membership history -------------------------------------------------------


def test_a_member_no_longer_in_the_group_is_closed() -> None:
    close, _ = membership_changes({(1, 10): 100, (2, 10): 200}, {10: {1}})
    assert close == [200]


def test_a_new_member_is_opened() -> None:
    _, opened = membership_changes({(1, 10): 100}, {10: {1, 2}})
    assert opened == [(2, 10)]


def test_an_account_whose_group_was_not_read_is_left_alone() -> None:
    assert membership_changes({(1, 10): 100}, {}) == ([], [])


# -- who observes a secret ----------------------------------------------------------------


def test_an_actor_that_is_no_email_is_no_person(conn: Connection) -> None:
    person(conn, "ann@example.com")
    assert operator(conn, "cron") is None


def test_the_actors_email_names_the_observer(conn: Connection) -> None:
    ann = person(conn, "ann@example.com")
    assert acting_person(conn, "Ann@Example.com").id == ann


def test_as_email_cannot_charge_someone_else_with_an_exposure(conn: Connection) -> None:
    person(conn, "ann@example.com")
    person(conn, "bob@example.com")
    with pytest.raises(UsageError) as raised:
        acting_person(conn, "ann@example.com", as_email="bob@example.com")
    assert raised.value.code == "exposure-not-operator"


def test_as_email_naming_the_operator_is_the_operator(conn: Connection) -> None:
    ann = person(conn, "ann@example.com")
    assert acting_person(conn, "ann@example.com", as_email="ANN@example.com").id == ann


def test_as_email_does_not_stand_in_for_an_unknown_operator(conn: Connection) -> None:
    person(conn, "bob@example.com")
    with pytest.raises(NotFoundError):
        acting_person(conn, "cron", as_email="bob@example.com")


def test_an_unknown_operator_is_refused_with_its_code(conn: Connection) -> None:
    with pytest.raises(NotFoundError) as raised:
        acting_person(conn, "cron")
    assert raised.value.code == "operator-unknown"


def test_a_blank_reason_is_refused() -> None:
    with pytest.raises(InputError):
        require_reason("  ")


def test_a_reason_is_stripped() -> None:
    assert require_reason(" launch ") == "launch"
