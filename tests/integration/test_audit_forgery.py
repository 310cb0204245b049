"""Attacks on the audit trail by someone who can write the database but holds no Vault token.

Each attack is run for real against OpenBao and the database (SQLite and PostgreSQL): the
attacker knows the hash algorithm (the code is public) and recomputes every hash and
the head, as they would; what they lack is the HMAC key in Vault and the checkpoint.
"""

from __future__ import annotations

import getpass
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, insert, text, update

from accessguard.app import App
from accessguard.audit.anchors import anchor_head
from accessguard.audit.chain import EventRecord, iter_events, record, verify
from accessguard.audit.keys import event_hash
from accessguard.db import tables
from accessguard.db.engine import make_engine
from accessguard.errors import CasConflictError, ConflictError
from accessguard.vault.audit_store import VaultAnchors, vault_audit
from accessguard.vault.facade import open_vault
from support.inventory import invoke, invoke_json
from support.servers import OpenBao
from support.vault import admin_vault, vault_app

#: ``vault bootstrap`` (root token, before the App is keyed) writes one unkeyed event.
FIRST = 2
#: The last of the six keyed events each test starts with.
LAST = FIRST + 5


@pytest.fixture
def keyed(app: App, openbao: OpenBao, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    """An App keyed and anchored in OpenBao (tool token), with six keyed events written."""
    vault_app(app, openbao, monkeypatch)
    _write(app, LAST - FIRST + 1)
    with app.begin() as conn:
        assert [e.hash_key is not None for e in _events(conn)] == [False] + [True] * 6
    yield app


def _write(app: App, n: int, *, actor: str = "op@example.com") -> None:
    with app.begin() as conn:
        for i in range(n):
            record(
                conn,
                app.clock,
                actor=actor,
                action="grant.add",
                target_type="grant",
                target=f"g{i}",
            )


def _attacker(app: App) -> Engine:
    """The database as the attacker reaches it: no hooks, no Vault."""
    return make_engine(app.settings.database_url)


def _events(conn: Connection) -> list[EventRecord]:
    return list(iter_events(conn))


def _fields(event: EventRecord) -> dict[str, object]:
    return {name: getattr(event, name) for name in EventRecord.__slots__}


def _rewrite(app: App, start: int, change: dict[str, object]) -> None:
    """Change events from ``start`` on and recompute every following SHA-256 and the head."""
    engine = _attacker(app)
    with engine.begin() as conn:
        prev = None
        for event in _events(conn):
            if event.seq < start:
                prev = event.hash
                continue
            forged = replace(event, prev_hash=prev or event.prev_hash, **change)  # type: ignore[arg-type]
            digest = event_hash(_fields(forged), None)
            values = {k: v for k, v in _fields(forged).items() if k not in ("seq", "details")}
            conn.execute(
                update(tables.audit_events)
                .where(tables.audit_events.c.seq == event.seq)
                .values(**{**values, "hash": digest})
            )
            prev = digest
        conn.execute(update(tables.audit_head).values(hash=prev))
    engine.dispose()


def _verify(app: App) -> dict[str, object]:
    with app.begin() as conn:
        return verify(conn).to_dict()


def _anchor(app: App) -> None:
    with app.begin() as conn:
        anchor_head(conn)


def test_keyed_events_name_their_key_and_who_really_acted(keyed: App) -> None:
    with keyed.begin() as conn:
        first = _events(conn)[FIRST - 1]
    assert first.hash_key == "kv1"
    assert first.vault_name == "token"  # the tool token's display name from lookup-self
    assert first.os_user == getpass.getuser()
    result = _verify(keyed)
    assert result["ok"] is True
    assert result["keyed_from"] == FIRST


def test_a_full_rehash_with_a_changed_actor_fails_naming_the_event(keyed: App) -> None:
    _rewrite(keyed, 4, {"actor": "mallory@example.com"})
    result = _verify(keyed)
    assert result["ok"] is False
    assert result["bad_seq"] == 4
    assert "event 4 was edited" in str(result["problem"])


def test_a_rehash_that_drops_the_key_is_a_downgrade(keyed: App) -> None:
    _rewrite(keyed, 4, {"actor": "mallory@example.com", "hash_key": None})
    result = _verify(keyed)
    assert result["ok"] is False
    assert f"event 4 is unkeyed after keyed event {FIRST}" in str(result["problem"])


def test_a_whole_chain_rewritten_unkeyed_disagrees_with_the_checkpoint(keyed: App) -> None:
    _anchor(keyed)
    _rewrite(keyed, 1, {"actor": "mallory@example.com", "hash_key": None})
    result = _verify(keyed)
    assert result["ok"] is False
    assert "checkpoint" in str(result["problem"])
    assert result["anchor"]["status"] == "disagrees"  # type: ignore[index]


def test_a_whole_chain_rewritten_unkeyed_before_any_checkpoint_fails(keyed: App) -> None:
    _rewrite(keyed, 1, {"actor": "mallory@example.com", "hash_key": None})
    result = _verify(keyed)
    assert result["ok"] is False
    assert "no event is keyed but the chain key exists in Vault" in str(result["problem"])


def test_a_truncation_fails_naming_the_checkpoint(keyed: App) -> None:
    _anchor(keyed)
    engine = _attacker(keyed)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq > 4"))
        last = conn.execute(text("SELECT hash FROM audit_events WHERE seq = 4")).scalar_one()
        conn.execute(text("UPDATE audit_head SET seq = 4, hash = :h"), {"h": last})
    engine.dispose()
    result = _verify(keyed)
    assert result["ok"] is False
    assert result["bad_seq"] == LAST
    assert f"names event {LAST} but the chain ends at event 4" in str(result["problem"])
    assert "_audit/anchor" in str(result["problem"])


def test_an_emptied_trail_fails(keyed: App) -> None:
    _anchor(keyed)
    engine = _attacker(keyed)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))
        conn.execute(text("DELETE FROM audit_head"))
    engine.dispose()
    result = _verify(keyed)
    assert result["ok"] is False
    assert result["checked"] == 0
    assert "chain ends at event 0" in str(result["problem"])


def test_an_unkeyed_event_after_keyed_ones_fails(keyed: App) -> None:
    engine = _attacker(keyed)
    with engine.begin() as conn:
        last = _events(conn)[-1]
        forged = replace(last, seq=last.seq + 1, prev_hash=last.hash, hash_key=None, actor="x")
        row = {**_fields(forged), "hash": event_hash(_fields(forged), None)}
        conn.execute(insert(tables.audit_events).values(**row))
        conn.execute(update(tables.audit_head).values(seq=forged.seq, hash=row["hash"]))
    engine.dispose()
    result = _verify(keyed)
    assert result["ok"] is False
    assert result["bad_seq"] == LAST + 1
    assert f"unkeyed after keyed event {FIRST}" in str(result["problem"])


def test_events_before_keying_still_verify(
    app: App, openbao: OpenBao, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(app, 2)  # no hooks yet: an install upgraded from before keying
    vault_app(app, openbao, monkeypatch)  # + the bootstrap event, unkeyed too
    _write(app, 2)
    result = _verify(app)
    assert result["ok"] is True
    assert result["keyed_from"] == 4


def test_the_key_never_reaches_the_database_nor_the_logs(
    keyed: App,
    openbao: OpenBao,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    keyed.audit = vault_audit(keyed)  # a new process: the key is read (and used) afresh
    _write(keyed, 2)
    assert _verify(keyed)["ok"] is True
    _anchor(keyed)
    admin = admin_vault(keyed, openbao)
    key = admin.kv.read(f"{admin.paths.prefix}/_audit/chain-key").values["hmac_sha256_key"].reveal()
    assert len(bytes.fromhex(key)) == 32
    engine = _attacker(keyed)
    with engine.connect() as conn:
        dump = "\n".join(
            repr(tuple(row))
            for table in tables.metadata.sorted_tables
            for row in conn.execute(table.select())
        )
    engine.dispose()
    assert "audit_events" in {t.name for t in tables.metadata.sorted_tables}
    assert "kv1" in dump  # the scan sees the audit rows: the key's id is there ...
    assert key not in dump  # ... its value is not
    assert key.upper() not in dump.upper()
    captured = capsys.readouterr()
    assert key not in captured.out + captured.err + caplog.text


def test_the_checkpoint_only_moves_forward_and_never_loses_a_write(keyed: App) -> None:
    _anchor(keyed)
    store = VaultAnchors(open_vault(keyed), f"{open_vault(keyed).paths.prefix}/_audit/anchor")
    current = store.read()
    assert current is not None
    assert current.seq == LAST
    # Two writers that read the same version: the second one's write is refused.
    store.write(replace(current, seq=LAST), cas=current.version)
    with pytest.raises(CasConflictError):
        store.write(replace(current, seq=LAST), cas=current.version)
    # A head behind the checkpoint (events removed) is never anchored over it.
    newest = store.read()
    assert newest is not None
    store.write(replace(newest, seq=LAST + 5), cas=newest.version)
    with keyed.begin() as conn, pytest.raises(ConflictError) as refused:
        anchor_head(conn)
    assert refused.value.code == "audit-anchor-disagrees"
    after = store.read()
    assert after is not None
    assert after.seq == LAST + 5


def test_anchoring_after_more_events_moves_the_checkpoint(keyed: App) -> None:
    _anchor(keyed)
    _write(keyed, 3)
    with keyed.begin() as conn:
        outcome = anchor_head(conn)
    assert outcome.status == "written"
    assert outcome.anchor is not None
    assert outcome.anchor.seq == LAST + 3
    assert _verify(keyed)["anchor"]["status"] == "agrees"  # type: ignore[index]


def test_the_cli_anchors_exports_and_reports_the_checkpoint(keyed: App, tmp_path: Path) -> None:
    url = keyed.settings.database_url
    before = invoke_json(url, "audit", "verify", "--json")
    assert (before["ok"], before["keyed"], before["keyed_from"]) == (True, True, FIRST)
    assert before["anchor"]["status"] == "none"
    assert invoke_json(url, "audit", "anchor", "--json")["status"] == "written"
    assert invoke_json(url, "audit", "anchor", "--json")["status"] == "unchanged"
    _write(keyed, 1)
    exported = invoke(url, "audit", "export", "--out", str(tmp_path / "trail.jsonl"))
    assert f"checkpoint written: event {LAST + 1}" in exported.stderr
    last = json.loads((tmp_path / "trail.jsonl").read_text().splitlines()[-1])
    assert (last["hash_key"], last["vault_name"]) == ("kv1", "token")
    assert last["os_user"] == getpass.getuser()
    intact = invoke(url, "audit", "verify")
    assert f"event {LAST + 1} agrees" in intact.stderr
    engine = _attacker(keyed)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))
        conn.execute(text("DELETE FROM audit_head"))
    engine.dispose()
    emptied = invoke(url, "audit", "verify")
    assert emptied.exit_code == 1
    assert "_audit/anchor names event" in emptied.stderr
    refused = invoke(url, "audit", "anchor")
    assert refused.exit_code == 1
    assert "not anchoring a broken trail" in refused.stderr
