"""Hostile playbooks: random text, random YAML structures, mutated valid playbooks, random bytes.

Every input ends in a validated Playbook or a PlaybookValidationError (one clear line),
never another exception, and anything accepted is internally consistent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from accessguard.errors import AccessGuardError, PlaybookValidationError
from accessguard.playbooks.action_specs import FOR_EACH_SOURCES, SPECS
from accessguard.playbooks.loader import SHIPPED_DIR, load_file, parse_playbook
from accessguard.playbooks.schema import ID_RE, Playbook
from support.hostile import FAST, outcome

SHIPPED = {path.name: path.read_text() for path in sorted(SHIPPED_DIR.glob("*.yaml"))}
KEYS = ["id", "action", "description", "args", "for_each", "when", "on_failure", "destructive"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from([*SPECS, *FOR_EACH_SOURCES, "stop", "continue", "grants", ""]),
)
structures = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)
yaml_tricks = st.sampled_from(
    [
        "? [a, b]\n: 1\n",
        "name: !!timestamp 2020-99-99\n",
        "name: !!python/object/apply:os.system [echo]\n",
        "a: &a [*a]\n",
        "a: &a [1, 2]\nb: [*a, *a, *a]\nc: [*b, *b, *b]\n",
        "<<: {name: x}\n",
        "name: !!binary '@@@'\n",
        "[" * 500,
        "name: a\nname: b\n",
        "\ufeffname: x\n",
        "name: a\r\ndescription: b\r\nsteps: []\r\n",
        "--- a\n--- b\n",
        "name: 'unterminated\n",
        "\t- tab\n",
    ]
)


def _check(result: Playbook | AccessGuardError) -> None:
    if isinstance(result, AccessGuardError):
        assert isinstance(result, PlaybookValidationError), type(result)
        return
    assert ID_RE.match(result.name) and result.steps
    ids = [step.id for step in result.steps]
    assert len(ids) == len(set(ids))
    for step in result.steps:
        assert step.action in SPECS and step.on_failure in ("stop", "continue")
        source = step.for_each.source if step.for_each else ""
        assert source in SPECS[step.action].for_each


@FAST
@given(st.text(max_size=300) | yaml_tricks)
@example("")
@example("\x00")
@example("steps: [{for_each: {source: {a: 1}}}]")
def test_random_text(text: str) -> None:
    _check(outcome(lambda: parse_playbook(text, file="random.yaml")))


@FAST
@given(structures)
def test_random_structures(data: Any) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    _check(outcome(lambda: parse_playbook(text, file="structure.yaml")))


@st.composite
def mutated_playbooks(draw: st.DrawFn) -> str:
    """A shipped playbook with one or more of its steps' fields replaced by hostile values."""
    source = yaml.safe_load(SHIPPED[draw(st.sampled_from(sorted(SHIPPED)))])
    for _ in range(draw(st.integers(1, 3))):
        steps = source["steps"]
        step = steps[draw(st.integers(0, len(steps) - 1))]
        key = draw(st.sampled_from([*KEYS, "unknown-key"]))
        if draw(st.booleans()) and key in step:
            del step[key]
        else:
            step[key] = draw(structures)
    if draw(st.booleans()):
        source[draw(st.sampled_from(["name", "description", "steps", "x"]))] = draw(structures)
    return yaml.safe_dump(source, allow_unicode=True, sort_keys=draw(st.booleans()))


@FAST
@given(mutated_playbooks())
def test_mutated_shipped_playbooks(text: str) -> None:
    _check(outcome(lambda: parse_playbook(text, file="mutated.yaml")))


@FAST
@given(
    st.binary(max_size=200) | st.sampled_from(["name: caf\xe9\n".encode("latin-1"), b"\xff\xfe"])
)
def test_random_bytes_from_a_file(tmp_path_factory, data: bytes) -> None:
    path = Path(tmp_path_factory.mktemp("pb")) / "p.yaml"
    path.write_bytes(data)
    _check(outcome(lambda: load_file(path)))


def test_shipped_playbooks_still_load() -> None:
    for name, text in SHIPPED.items():
        assert isinstance(parse_playbook(text, file=name), Playbook)
