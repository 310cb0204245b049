"""The HR feed after a real offboarding (OpenBao, scim2-server): re-importing the feed that
made someone a leaver changes nothing and plans nobody; a full feed notices who is absent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from accessguard.app import App
from accessguard.clock import FixedClock
from accessguard.config import load_settings
from support.inventory import PEOPLE_HEADER, write_csv
from support.offboarding import LEAVER, end_state, invoke, invoke_json, scim_active

# Ann leaves: HR keeps saying "leaving" with her end date in every later feed.
FEED = [
    (LEAVER, "Ann Leaver", "Brand", None, None, "leaving", "2026-01-01"),
    ("bob@example.com", "Bob Admin", "Brand", None, None, None, None),
    ("cat@example.com", "Cat Colleague", "Brand", None, None, None, None),
]


@pytest.fixture
def sqlite_app(database_url: str, clock: FixedClock) -> Iterator[App]:
    """The offboarding world on SQLite and PostgreSQL alike (overrides the SQLite-only app)."""
    app = App(settings=load_settings(overrides={"database.url": database_url}), clock=clock)
    yield app
    app.engine.dispose()


def _rows(world: Any) -> dict[str, list[tuple[Any, ...]]]:
    with world.app.begin() as conn:
        return {
            t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))]
            for t in ("people", "employments", "grants", "audit_events")
        }


def _finish(world: Any, run: dict[str, Any]) -> None:
    """Confirm the run's manual items by hand, as an admin would."""
    for step in run["steps"]:
        for item in step["items"]:
            if item["status"] == "waiting":
                result = invoke(
                    world.app, "runs", "confirm", run["id"], step["id"], "--item", item["item"],
                    "--evidence", "done by hand",
                )  # fmt: skip
                assert result.exit_code in (0, 5), result.stderr


def test_reimport_after_an_offboarding_changes_nothing(world: Any, tmp_path: Path) -> None:
    feed = write_csv(tmp_path / "hr.csv", PEOPLE_HEADER, FEED)
    code, imported = invoke_json(world.app, "people", "import", str(feed))
    assert code == 0 and imported["counts"]["leaving"] == 1
    code, out = invoke_json(world.app, "leavers", "run")
    assert code == 5, out
    (row,) = out["leavers"]
    code, run = invoke_json(world.app, "runs", "show", row["run"])
    _finish(world, run)
    code, shown = invoke_json(world.app, "runs", "show", row["run"])
    assert shown["status"] == "completed"
    assert not scim_active(world)
    code, ann = invoke_json(world.app, "people", "show", LEAVER)
    assert ann["status"] == "departed"
    before, world_before = _rows(world), end_state(world)

    code, again = invoke_json(world.app, "people", "import", str(feed))

    assert code == 0
    assert again["changes"] == []
    assert again["counts"]["unchanged"] == 3
    assert _rows(world) == before
    code, planned = invoke_json(world.app, "leavers", "run", "--dry-run")
    assert (code, planned["leavers"]) == (0, [])
    assert end_state(world) == world_before


def test_a_full_feed_without_the_leaver_marks_them_leaving(world: Any, tmp_path: Path) -> None:
    everyone = write_csv(tmp_path / "all.csv", PEOPLE_HEADER, [(*r[:5], None, None) for r in FEED])
    assert invoke_json(world.app, "people", "import", str(everyone))[0] == 0
    without = write_csv(
        tmp_path / "full.csv", PEOPLE_HEADER, [(*r[:5], None, None) for r in FEED[1:]]
    )
    refused = invoke(world.app, "people", "import", str(without), "--full")
    assert refused.exit_code == 1  # 1 of 3 is over the default 10%
    code, out = invoke_json(
        world.app, "people", "import", str(without), "--full", "--max-leaving", "34"
    )
    assert code == 0
    assert [(c["action"], c["target"]) for c in out["changes"]] == [("leave", LEAVER)]
    code, ann = invoke_json(world.app, "people", "show", LEAVER)
    assert ann["status"] == "leaving"
    assert scim_active(world)  # marked leaving only: the offboarding is `leavers run`'s, tomorrow
