"""The generated Core tables (db/tables.py) mirror the models column for column."""

from __future__ import annotations

from accessguard.db import codegen, tables
from accessguard.db.base import Base
from accessguard.db.model_index import import_all_models


def test_generated_module_is_current() -> None:
    assert codegen.TARGET.read_text() == codegen.render(), (
        "db/tables.py is stale: run `python -m accessguard.db.codegen --write`"
    )


def test_every_model_column_has_its_core_twin() -> None:
    import_all_models()
    assert set(tables.metadata.tables) == set(Base.metadata.tables)
    for name, model_table in Base.metadata.tables.items():
        core = tables.metadata.tables[name]
        assert [c.name for c in core.columns] == [c.name for c in model_table.columns]
        for column in model_table.columns:
            twin = core.c[column.name]
            assert (twin.primary_key, twin.nullable) == (column.primary_key, column.nullable)
            assert type(twin.type) is type(column.type), (name, column.name)
            assert {fk.target_fullname for fk in twin.foreign_keys} == {
                fk.target_fullname for fk in column.foreign_keys
            }
