"""Reading CSV imports all-or-nothing: every problem is collected as ``file:row:column``.

Importers validate every row before writing anything; ``Problems`` gathers what is wrong
and raises one ``InputError`` naming the first problem (and how many more there are).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from accessguard.errors import InputError

T = TypeVar("T")
# Problems named in the hint after the first one (the message); the rest are counted.
MAX_LISTED = 5


class CsvInputError(InputError):
    """A CSV import was rejected; ``problems`` lists every ``file:row:column: why`` found."""

    code = "bad-csv"

    def __init__(self, problems: Sequence[str]) -> None:
        rest = list(problems[1:])
        shown = "; ".join(rest[:MAX_LISTED])
        if len(rest) > MAX_LISTED:
            shown += f"; and {len(rest) - MAX_LISTED} more"
        more = f" (and {len(rest)} more problem(s))" if rest else ""
        also = f"also {shown}; " if rest else ""
        super().__init__(
            f"{problems[0]}{more}",
            hint=f"{also}fix the file and import it again; nothing was written",
        )
        self.problems = list(problems)


@dataclass
class Row:
    """One data row: its line number in the file and its values by column."""

    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        """The stripped value of ``column`` ('' when the column is absent or empty)."""
        return (self.values.get(column) or "").strip()


@dataclass
class Problems:
    """Collects ``file:row:column`` problems while validating, then raises them at once."""

    source: str
    items: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: int, column: str, message: str) -> None:
        """Record one problem."""
        self.items.append((line, f"{self.source}:{line}:{column}: {message}"))

    def check(self, row: Row, column: str, func: Callable[[str], T]) -> T | None:
        """Run a validator on the row's value; record its InputError and return None."""
        try:
            return func(row.get(column))
        except InputError as exc:
            self.add(row.line, column, _strip_field(exc.message, column))
            return None

    def raise_if_any(self) -> None:
        """Raise one CsvInputError when anything was recorded."""
        if self.items:
            raise CsvInputError([text for _, text in sorted(self.items, key=lambda i: i[0])])


def _strip_field(message: str, column: str) -> str:
    """Validators prefix messages with the field name; the location already says it."""
    head, sep, rest = message.partition(": ")
    return rest if sep and head in {column, column.replace("_", " ")} else message


def parse_column_map(
    text: str, fields: Sequence[str], *, aliases: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``"email=Work Email,name=Full Name"`` -> {field: source column}.

    Fields are the importer's column names (or an alias of one); an unknown or repeated
    field, or an entry without ``=``, is a one-line InputError naming it.
    """
    aliases = aliases or {}
    mapping: dict[str, str] = {}
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        target, sep, source = (part.strip() for part in entry.partition("="))
        target = aliases.get(target.lower(), target.lower())
        if not sep or not source:
            raise InputError(f"--map: {entry!r} is not FIELD=COLUMN", hint=_map_hint(fields))
        if target not in fields:
            raise InputError(
                f"--map: unknown field {entry.partition('=')[0].strip()!r}", hint=_map_hint(fields)
            )
        if target in mapping:
            raise InputError(f"--map: field {target!r} is mapped twice")
        mapping[target] = source
    if len({v.lower() for v in mapping.values()}) < len(mapping):
        raise InputError("--map: one column is mapped to two fields")
    return mapping


def _map_hint(fields: Sequence[str]) -> str:
    return f'fields: {", ".join(fields)}; e.g. --map "email=Work Email,name=Full Name"'


def read_rows(
    path: Path,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    mapping: Mapping[str, str] | None = None,
) -> tuple[Problems, list[Row]]:
    """Read a CSV with a header row; header problems are reported (and raised) first.

    With ``mapping`` ({field: source column}, from ``parse_column_map``) the file's own
    column names are translated, every mapped column must be present, and columns that
    are neither mapped nor a field's own name are ignored (HR exports carry many).
    """
    problems = Problems(str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})",
            hint="save the file as UTF-8 CSV",
        ) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    reader = csv.reader(text.splitlines(keepends=True))
    header_line = 1
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError(f"{path}:1: the file is empty; expected a header row") from None
    except csv.Error as exc:
        raise InputError(f"{path}:1: cannot parse CSV: {exc}") from None
    known = set(required) | set(optional)
    if mapping is not None:
        header = _mapped_header(header, mapping, known, problems)
    for column in required:
        if column not in header and column not in (mapping or {}):
            problems.add(header_line, column, "missing column")
    seen: set[str] = set()
    for column in header:
        if mapping is not None and not column:
            continue  # an ignored column of a mapped file
        if column not in known:
            expected = ", ".join([*required, *optional])
            problems.add(header_line, column or "?", f"unknown column (expected {expected})")
        elif column in seen:
            problems.add(header_line, column, "column appears twice")
        seen.add(column)
    problems.raise_if_any()
    rows = list(_data_rows(reader, header, problems))
    return problems, rows


def _mapped_header(
    header: list[str], mapping: Mapping[str, str], known: set[str], problems: Problems
) -> list[str]:
    """The header in field names; '' for a column the mapping leaves out."""
    for target, source in mapping.items():
        if source.lower() not in header:
            problems.add(1, source, f"missing column (named by --map {target}={source})")
    by_source = {source.lower(): target for target, source in mapping.items()}
    return [by_source.get(h, h if h in known and h not in mapping else "") for h in header]


def _data_rows(reader: Any, header: list[str], problems: Problems) -> Iterator[Row]:
    line = reader.line_num
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.add(start, "-", f"cannot parse CSV: {exc}")
            problems.raise_if_any()
            return
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            problems.add(
                start, "-", f"{len(values)} values but the header has {len(header)} columns"
            )
            continue
        row = Row(start, dict(zip(header, values, strict=False)))
        for column in header[len(values) :]:
            row.values[column] = ""
        yield row


@dataclass(frozen=True)
class Change:
    """One planned or applied import change: an add, an update (field -> [before, after])."""

    kind: str
    action: str
    target: str
    fields: dict[str, list[Any]] = field(default_factory=dict)
    line: int | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape."""
        return {
            "kind": self.kind,
            "action": self.action,
            "target": self.target,
            "fields": self.fields,
            "line": self.line,
            "note": self.note,
        }

    def describe(self) -> str:
        """One human line, e.g. ``update person bob@x: status active -> leaving``."""
        text = f"{self.action} {self.kind} {self.target}"
        if self.action == "add":
            shown = [
                f"{k}={_show(v[1])}"
                for k, v in self.fields.items()
                if v[1] not in (None, "", [], {})
            ]
            if shown:
                text += f" ({', '.join(shown)})"
        elif self.fields:
            text += ": " + "; ".join(
                f"{k} {_show(v[0])} -> {_show(v[1])}" for k, v in self.fields.items()
            )
        if self.note:
            text += f" [{self.note}]"
        return text


def _show(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, list):
        return ";".join(str(v) for v in value) or "-"
    return str(value)


def optional_value(func: Any) -> Any:
    """Wrap a validator so an empty value means None."""
    return lambda value: func(value) if value else None


def required_value(column: str) -> Any:
    """A validator that refuses an empty value."""

    def check(value: str) -> str:
        if not value:
            raise InputError(f"{column}: must not be empty")
        return value

    return check


def iso(value: Any) -> Any:
    """Dates and times as ISO strings (for change records), anything else as is."""
    return value.isoformat() if isinstance(value, date | datetime) else value
