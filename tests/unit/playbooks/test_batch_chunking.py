"""How many acted items a batched step records per transaction."""

from __future__ import annotations

import pytest

from accessguard.playbooks.batch import CHUNKS, MIN_CHUNK, chunk_size


@pytest.mark.parametrize("acting", [1, 7, MIN_CHUNK, MIN_CHUNK * CHUNKS])
def test_small_steps_record_at_least_the_minimum_chunk(acting: int) -> None:
    assert chunk_size(acting) == MIN_CHUNK


@pytest.mark.parametrize(("acting", "chunk"), [(200, 25), (1000, 125), (72, 9)])
def test_large_steps_record_in_about_eight_chunks(acting: int, chunk: int) -> None:
    assert chunk_size(acting) == chunk


def test_chunks_cover_every_item_in_at_most_chunks_plus_one_commits() -> None:
    acting = 203
    assert -(-acting // chunk_size(acting)) <= CHUNKS + 1
