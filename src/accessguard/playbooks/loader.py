"""Find and load playbooks, keeping YAML line numbers so errors name file:line and key.

Search order for a playbook NAME: each directory in ``[offboarding] playbook_dirs``
(an organisation's own playbooks, which may override a shipped one), then the
playbooks shipped inside the package (``accessguard/playbooks/shipped``, which the
repository's ``playbooks/`` directory links to). A value containing ``/`` or ending
in ``.yaml``/``.yml`` is read as a file path.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accessguard.config import Settings
from accessguard.errors import NotFoundError, PlaybookValidationError
from accessguard.playbooks.schema import Playbook, build_playbook

SHIPPED_DIR = Path(__file__).parent / "shipped"


def _to_data(text: str, file: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse YAML into plain data plus the 1-based line of every key path."""
    import yaml

    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlaybookValidationError(f"{file}{line}: not valid YAML: {problem}") from None
    finally:
        loader.dispose()
    lines: dict[tuple[Any, ...], int] = {}

    def walk(node: Any, path: tuple[Any, ...]) -> Any:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = loader.construct_object(key_node, deep=True)
                if key in result:
                    raise PlaybookValidationError(
                        f"{file}:{key_node.start_mark.line + 1}: "
                        f"{'.'.join(str(p) for p in (*path, key))}: duplicate key"
                    )
                lines[(*path, key)] = key_node.start_mark.line + 1
                result[key] = walk(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [walk(item, (*path, i)) for i, item in enumerate(node.value)]
        return loader.construct_object(node, deep=True)

    if root is None:
        return None, {(): 1}
    return walk(root, ()), lines


def parse_playbook(text: str, *, file: str = "<playbook>") -> Playbook:
    """Validate YAML text into a Playbook (errors name ``file``, line and key)."""
    data, lines = _to_data(text, file)

    def where(path: tuple[Any, ...]) -> str:
        for end in range(len(path), -1, -1):
            if path[:end] in lines:
                return f"{file}:{lines[path[:end]]}"
        return file

    digest = hashlib.sha256(text.encode()).hexdigest()
    return build_playbook(data, where, path=file, digest=digest)


def load_file(path: Path) -> Playbook:
    """Read and validate one playbook file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise NotFoundError(f"{path}: cannot read playbook: {exc.strerror}") from None
    return parse_playbook(text, file=str(path))


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
