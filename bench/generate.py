"""Generate a large synthetic inventory (people, accounts, grants) for benchmarks.

Set-based: rows are written in large batches (COPY on PostgreSQL), so 1M grants take
seconds to a minute, not hours. Deterministic for a given seed.

    python -m bench.generate --db sqlite:///bench/.data/big.db --people 100000 --accounts 5000 --grants 1000000
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, insert, text

from accessguard.db import tables
from accessguard.db.engine import make_engine
from accessguard.db.migrate import upgrade

PLATFORMS = [
    "facebook",
    "instagram",
    "linkedin",
    "x",
    "tiktok",
    "youtube",
    "pinterest",
    "google-business-profile",
    "reddit",
    "hootsuite",
]
ROLES = ["admin", "editor", "analyst", "moderator", "advertiser"]
VIAS = ["platform-role", "suite-seat", "shared-login"]
NOW = datetime(2026, 11, 1, tzinfo=UTC)
BATCH = 20_000


def _people(n: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    for i in range(n):
        roll = rng.random()
        status = "departed" if roll < 0.02 else "leaving" if roll < 0.04 else "active"
        yield {
            "id": i + 1,
            "email": f"person{i:06d}@example.com",
            "name": f"Person {i}",
            "department": rng.choice(["Marketing", "Social", "Comms", "Sales", "IT"]),
            "manager_email": None,
            "kind": "contractor"
            if rng.random() < 0.08
            else "agency"
            if rng.random() < 0.03
            else "employee",
            "status": status,
            "end_date": date(2026, 10, 1) if status != "active" else None,
            "source": "hr-import",
            "created_at": NOW,
            "updated_at": NOW,
        }


def _accounts(n: int, people: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    for i in range(n):
        platform = PLATFORMS[i % len(PLATFORMS)]
        yield {
            "id": i + 1,
            "name": f"acct-{i:05d}",
            "platform": platform,
            "handle": f"brand{i}",
            "display_name": f"Brand {i}",
            "owner_id": rng.randint(1, people),
            "criticality": rng.choice(["low", "medium", "high", "critical"]),
            "recovery_email": f"social{i}@example.com"
            if rng.random() < 0.9
            else f"someone{i}@gmail.com",
            "recovery_email_company": None,
            "recovery_phone": None,
            "recovery_phone_company": None,
            "connector": None,
            "settings": {},
            "tags": [],
            "created_at": NOW,
            "updated_at": NOW,
        }


def _grants(n: int, people: int, accounts: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    for i in range(n):
        revoked = rng.random() < 0.1
        yield {
            "id": i + 1,
            "person_id": rng.randint(1, people),
            "account_id": rng.randint(1, accounts),
            "role": rng.choice(ROLES),
            "via": rng.choice(VIAS),
            "granted_at": NOW - timedelta(days=rng.randint(1, 900)),
            "granted_by": "generator",
            "reason": None,
            "ticket": None,
            "expires_at": NOW - timedelta(days=3) if rng.random() < 0.01 else None,
            "last_used_at": NOW - timedelta(days=rng.randint(0, 60))
            if rng.random() < 0.9
            else None,
            "revoked_at": NOW if revoked else None,
            "revoked_by": "generator" if revoked else None,
            "revoke_reason": "generated" if revoked else None,
            "revoked_run_id": None,
        }


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _load(engine: Engine, table: Table, rows: Iterator[dict[str, Any]]) -> int:
    count = 0
    with engine.begin() as conn:
        for batch in _batches(rows):
            conn.execute(insert(table), batch)
            count += len(batch)
    return count


def generate(url: str, *, people: int, accounts: int, grants: int, seed: int = 7) -> dict[str, int]:
    """Create the schema at ``url`` and fill it; returns row counts."""
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        for table in ("grants", "accounts", "people"):
            conn.execute(text(f"DELETE FROM {table}"))
    rng = random.Random(seed)
    counts = {
        "people": _load(engine, tables.people, _people(people, rng)),
        "accounts": _load(engine, tables.accounts, _accounts(accounts, people, rng)),
        "grants": _load(engine, tables.grants, _grants(grants, people, accounts, rng)),
    }
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in ("people", "accounts", "grants"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
                )
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()
    return counts


def main() -> None:
    """Command-line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=5_000)
    parser.add_argument("--grants", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(
        generate(
            args.db, people=args.people, accounts=args.accounts, grants=args.grants, seed=args.seed
        )
    )


if __name__ == "__main__":
    main()
