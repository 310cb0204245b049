"""CSV reading for imports: header checks, row numbers, and how changes read."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessguard.errors import InputError
from accessguard.inventory.csvinput import Change, CsvInputError, read_rows


def _read(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> list[tuple[int, dict]]:
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode(encoding))
    problems, rows = read_rows(path, required=("a", "b"), optional=("c",))
    problems.raise_if_any()
    return [(r.line, r.values) for r in rows]


def test_rows_carry_their_line_numbers(tmp_path: Path) -> None:
    rows = _read(tmp_path, '\ufeffA, b,c\n1,2\n\n"multi\nline",3,x\n4\n')
    assert rows == [
        (2, {"a": "1", "b": "2", "c": ""}),  # short rows are padded
        (4, {"a": "multi\nline", "b": "3", "c": "x"}),  # blank lines are skipped
        (6, {"a": "4", "b": "", "c": ""}),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "f.csv:1: the file is empty"),
        ("a\n1\n", "f.csv:1:b: missing column"),
        ("a,b,d\n", "f.csv:1:d: unknown column (expected a, b, c)"),
        ("a,b,a\n", "f.csv:1:a: column appears twice"),
        ("a,b\n1,2,3\n", "f.csv:2:-: 3 values but the header has 2 columns"),
    ],
)
def test_structural_problems_name_the_place(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        _read(tmp_path, text)
    assert message in caught.value.message


def test_non_utf8_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not UTF-8"):
        _read(tmp_path, "a,b\nJosé,1\n", encoding="latin-1")


def test_many_problems_are_counted_and_listed_in_the_hint() -> None:
    error = CsvInputError([f"f.csv:{n}:a: bad" for n in range(2, 12)])
    assert error.message == "f.csv:2:a: bad (and 9 more problem(s))"
    assert error.hint is not None
    assert error.hint.startswith("also f.csv:3:a: bad; f.csv:4:a: bad;")
    assert "and 4 more; fix the file" in error.hint


def test_changes_describe_themselves() -> None:
    add = Change("person", "add", "a@example.com", {"name": [None, "A"], "end_date": [None, None]})
    assert add.describe() == "add person a@example.com (name=A)"
    update = Change(
        "account", "update", "brand-x", {"tags": [["a"], ["a", "b"]], "owner": ["x@e.com", None]}
    )
    assert update.describe() == "update account brand-x: tags a -> a;b; owner x@e.com -> -"
    assert update.to_dict()["fields"]["owner"] == ["x@e.com", None]


def test_cli_choices_match_the_models() -> None:
    """The CLI offers the inventory vocabularies (`vocab` needs no SQLAlchemy, so `--help` is fast)."""
    from accessguard.cli.accounts import CRITICALITY_CHOICES, PLATFORM_CHOICES
    from accessguard.cli.grants import VIA_CHOICES
    from accessguard.inventory.vocab import CRITICALITIES, GRANT_VIAS, PLATFORMS

    assert PLATFORM_CHOICES == PLATFORMS
    assert CRITICALITY_CHOICES == CRITICALITIES
    assert VIA_CHOICES == GRANT_VIAS
