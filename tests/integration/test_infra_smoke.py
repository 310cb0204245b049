"""The test servers start, answer, and the schema migrates on both databases."""

from __future__ import annotations

import requests
from sqlalchemy import select

from accessguard.app import App
from accessguard.audit.chain import verify
from accessguard.db.tables import people
from accessguard.inventory.people import PersonInput, add_person


def test_person_round_trip_and_chain(app: App) -> None:
    with app.begin() as conn:
        add_person(conn, app.clock, app.actor, PersonInput("Ann@Example.com", "Ann"))
    with app.begin() as conn:
        person = conn.execute(select(people.c.email, people.c.created_at)).one()
        assert person.email == "ann@example.com"
        assert person.created_at == app.clock.now()
        result = verify(conn)
    assert result.ok and result.checked == 1


def test_openbao_and_scim_answer(openbao, scim) -> None:
    health = requests.get(f"{openbao.addr}/v1/sys/health", timeout=5).json()
    assert health["initialized"] and not health["sealed"]
    r = requests.get(
        f"{scim.url}/Users", headers={"Authorization": f"Bearer {scim.token}"}, timeout=5
    )
    assert r.status_code == 200 and r.json()["totalResults"] == 0
