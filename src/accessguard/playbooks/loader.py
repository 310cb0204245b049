"""Find and load playbooks, keeping YAML line numbers so errors name file:line and key.

Search order for a playbook NAME: each directory in ``[offboarding] playbook_dirs``
(an organisation's own playbooks, which may override a shipped one), then the
playbooks shipped inside the package (``accessguard/playbooks/shipped``, which the
repository's ``playbooks/`` directory links to). A value containing ``/`` or ending
in ``.yaml``/``.yml`` is read as a file path.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accessguard.config import Settings
from accessguard.errors import NotFoundError, PlaybookValidationError
from accessguard.playbooks.schema import Playbook, build_playbook, key_path

SHIPPED_DIR = Path(__file__).parent / "shipped"


#: Bounds on what a playbook's YAML may expand to (aliases can multiply nodes; nesting recurses).
MAX_DEPTH = 40
MAX_NODES = 20_000


def _to_data(text: str, file: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse YAML into plain data plus the 1-based line of every key path."""
    import yaml

    lines: dict[tuple[Any, ...], int] = {}
    walked = 0

    def fail(node: Any, message: str) -> PlaybookValidationError:
        return PlaybookValidationError(f"{file}:{node.start_mark.line + 1}: {message}")

    def walk(loader: Any, node: Any, path: tuple[Any, ...], depth: int) -> Any:
        nonlocal walked
        walked += 1
        if depth > MAX_DEPTH or walked > MAX_NODES:
            raise fail(node, f"the YAML is nested or aliased too deeply (limit {MAX_DEPTH} levels)")
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = loader.construct_object(key_node, deep=True)
                if not isinstance(key, str | int | float | bool) and key is not None:
                    raise fail(
                        key_node,
                        f"{key_path(path)}: keys must be plain names",
                    )
                if key in result:
                    raise fail(key_node, f"{key_path((*path, key))}: duplicate key")
                lines[(*path, key)] = key_node.start_mark.line + 1
                result[key] = walk(loader, value_node, (*path, key), depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [walk(loader, item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return loader.construct_object(node, deep=True)

    loader = None
    try:
        # libyaml's parser when PyYAML has it (about 5x faster; same nodes and marks).
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        root = loader.get_single_node()
        if root is None:
            return None, {(): 1}
        return walk(loader, root, (), 0), lines
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PlaybookValidationError(f"{file}{line}: not valid YAML: {problem}") from None
    except (ValueError, OverflowError) as exc:  # e.g. a !!timestamp that is no date
        raise PlaybookValidationError(f"{file}: not valid YAML: {exc}") from None
    except RecursionError:
        raise PlaybookValidationError(f"{file}: not valid YAML: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


def parse_playbook(text: str, *, file: str = "<playbook>", cache: bool = False) -> Playbook:
    """Validate YAML text into a Playbook (errors name ``file``, line and key).

    With ``cache``, a playbook whose exact text was parsed before is read from the
    parse cache (``_cache_path``), which spares loading PyYAML and parsing: about 30 ms
    of every offboarding. A cached playbook is validated again like a parsed one; if
    that fails (a newer rule), the text is parsed afresh for the error's line number.
    """
    digest = hashlib.sha256(text.encode()).hexdigest()
    cached = _cache_path(digest) if cache else None
    if cached is not None:
        try:
            data = json.loads(cached.read_text(encoding="utf-8"))
            return build_playbook(data, lambda _: file, path=file, digest=digest)
        except (OSError, ValueError, PlaybookValidationError):
            pass  # not cached yet, unreadable or no longer valid: parse the text
    data, lines = _to_data(text, file)

    def where(path: tuple[Any, ...]) -> str:
        for end in range(len(path), -1, -1):
            if path[:end] in lines:
                return f"{file}:{lines[path[:end]]}"
        return file

    book = build_playbook(data, where, path=file, digest=digest)
    if cached is not None:
        _store(cached, data)
    return book


def _cache_path(digest: str) -> Path:
    """Where the parsed data of the playbook text with this digest is kept (per version)."""
    from accessguard import __version__
    from accessguard.config import data_dir

    return data_dir() / "cache" / "playbooks" / f"{digest}-{__version__}.json"


def _store(path: Path, data: Any) -> None:
    """Keep ``data`` (0600) when JSON holds it exactly; a cache that cannot be written is skipped."""
    from accessguard.files import write_private

    try:
        encoded = json.dumps(data, ensure_ascii=False, sort_keys=True)
        if json.loads(encoded) != data:  # YAML dates, sets, non-string keys: parse each time
            return
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        write_private(temporary, encoded)
        temporary.replace(path)
    except (OSError, TypeError, ValueError):
        return


def load_file(path: Path) -> Playbook:
    """Read and validate one playbook file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PlaybookValidationError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})",
            hint="save the playbook as UTF-8",
        ) from None
    except OSError as exc:
        raise NotFoundError(f"{path}: cannot read playbook: {exc.strerror}") from None
    return parse_playbook(text, file=str(path), cache=True)


def search_dirs(settings: Settings) -> list[Path]:
    """Directories searched for playbooks, highest priority first."""
    return [Path(d).expanduser() for d in settings.offboarding.playbook_dirs] + [SHIPPED_DIR]


@dataclass(frozen=True)
class Entry:
    """A playbook file found in a search directory (validated or not)."""

    name: str
    path: Path
    shadowed: bool


def discover(settings: Settings) -> list[Entry]:
    """Every playbook file in the search directories; later duplicates are shadowed."""
    seen: set[str] = set()
    entries: list[Entry] = []
    for directory in search_dirs(settings):
        if not directory.is_dir():
            continue
        for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
            entries.append(Entry(path.stem, path, path.stem in seen))
            seen.add(path.stem)
    return entries


def resolve(settings: Settings, ref: str) -> Playbook:
    """A playbook by name (search directories) or by file path."""
    if "/" in ref or ref.endswith((".yaml", ".yml")):
        return load_file(Path(ref))
    for entry in discover(settings):
        if entry.name == ref and not entry.shadowed:
            return load_file(entry.path)
    known = sorted({e.name for e in discover(settings)})
    raise NotFoundError(
        f"no playbook named {ref!r}",
        hint=f"known: {', '.join(known) or 'none'}; or pass a file path",
        code="playbook-not-found",
    )
