"""Two offboardings that would each take an account's last other admin, starting at once: exactly one passes.

The decision is made in the transaction that stores the run, with the account's row
locked (PostgreSQL) or under SQLite's one writer: the second waits for the first to
commit and then sees its run. A run is held open inside that transaction here (the
engine's ``with_run`` hook) so the overlap is certain, not left to timing.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import update

from accessguard.app import App
from accessguard.db import tables
from accessguard.errors import ConflictError
from accessguard.inventory.accounts import AccountInput, add_account
from accessguard.inventory.grants import add_grant
from accessguard.inventory.people import PersonInput, add_person
from accessguard.playbooks.loader import resolve
from accessguard.playbooks.planner import build_plan
from accessguard.playbooks.runner import start_run

ANN, BOB = "ann@example.com", "bob@example.com"


def _two_sole_admins(app: App) -> None:
    with app.begin() as s:
        for email in (ANN, BOB):
            add_person(s, app.clock, "hr", PersonInput(email, email.split("@")[0].title()))
        add_account(s, app.clock, "hr", AccountInput("brand-fb", "facebook", "northwind.fb"))
        for email in (ANN, BOB):
            add_grant(
                s,
                app.clock,
                "hr",
                person_email=email,
                account_ref="brand-fb",
                role="admin",
                via="platform-role",
            )


def test_two_runs_starting_at_once_exactly_one_passes(app: App) -> None:
    _two_sole_admins(app)
    book = resolve(app.settings, "standard")
    with app.begin() as s:  # both plan while the other is still active: both pass planning
        plans = {email: build_plan(s, book, email) for email in (ANN, BOB)}
    inside, release = threading.Event(), threading.Event()
    first: list[str] = []
    second: list[BaseException | str] = []

    def hold_open(_conn: object, run_id: str) -> None:
        first.append(run_id)
        inside.set()
        release.wait(20)

    def start_second() -> None:
        try:
            second.append(start_run(app, plans[BOB]))
        except ConflictError as exc:
            second.append(exc)

    a = threading.Thread(target=lambda: start_run(app, plans[ANN], with_run=hold_open))
    a.start()
    assert inside.wait(20)
    b = threading.Thread(target=start_second)
    b.start()
    time.sleep(1.0)
    waited = b.is_alive()  # the second start waits for the first transaction
    release.set()
    a.join(30)
    b.join(30)
    assert waited, second
    (outcome,) = second
    assert isinstance(outcome, ConflictError), outcome
    assert outcome.code == "handover-held"
    assert f"{ANN} is leaving in run {first[0]}" in outcome.message


def test_a_leaving_admin_does_not_count_as_remaining(app: App) -> None:
    _two_sole_admins(app)
    with app.begin() as s:
        s.execute(
            update(tables.people).where(tables.people.c.email == ANN).values(status="leaving")
        )
    book = resolve(app.settings, "standard")
    with pytest.raises(ConflictError, match="no active admin or owner"), app.begin() as s:
        build_plan(s, book, BOB)
