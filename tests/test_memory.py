"""Flat memory: a loaded repository keeps no composed YAML tree and no body text per record.

Positions are worked out from the front matter's YAML text when a finding needs one (a few
recently composed trees are kept, a bounded number); the body's prose is dropped once the
single-record rules have run; the body's lines are read again from the file if asked for.
Nothing here is timed: the structure is checked, and the memory a record keeps is compared
with what keeping its composed tree would cost.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tracecard.load import config, parse
from tracecard.load.discover import LazyLines
from tracecard.load.repository import load_graph
from tracecard.model.graph import RepoGraph
from tracecard.rules.registry import PER_RECORD

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(BENCH))
    try:
        import gen_repo
    finally:
        sys.path.remove(str(BENCH))
    root = tmp_path_factory.mktemp("mem") / "repo"
    gen_repo.generate(2 * parse._TREES_KEPT, root, seed=3, git=False)
    return root


def _load(root: Path) -> RepoGraph:
    return load_graph(config.load(root), local_rules=PER_RECORD)


def _reachable(obj: object) -> Iterator[object]:
    """Everything a record holds: containers and tracecard's own objects, followed through
    their attributes (not through classes, modules or functions)."""
    seen: set[int] = set()
    stack = [obj]
    while stack:
        cur = stack.pop()
        if id(cur) in seen or isinstance(cur, (str, bytes, int, float, type(None), Path)):
            continue
        seen.add(id(cur))
        yield cur
        if isinstance(cur, dict):
            stack.extend(cur.keys())
            stack.extend(cur.values())
        elif isinstance(cur, (list, tuple, set, frozenset)):
            stack.extend(cur)
        elif type(cur).__module__.startswith(("tracecard", "yaml")):
            names = list(getattr(cur, "__dict__", {}))
            for klass in type(cur).__mro__:
                names.extend(getattr(klass, "__slots__", ()))
            for name in names:
                if hasattr(cur, name) and not callable(getattr(type(cur), name, None)):
                    stack.append(getattr(cur, name))


def test_no_record_holds_a_yaml_node_or_its_body_text(generated: Path) -> None:
    graph = _load(generated)
    assert len(graph.records) >= 2 * parse._TREES_KEPT  # and a review per production card
    for rec in graph.records:
        held = list(_reachable(rec))
        nodes = [o for o in held if isinstance(o, (yaml.Node, yaml.Mark))]
        assert nodes == [], f"{rec.path} keeps a composed YAML tree"
        assert rec.parsed._source is None, f"{rec.path} keeps its YAML text"
        assert rec.body.prose == () and rec.body.labels == ()
        assert isinstance(rec.parsed.body_lines, LazyLines) and rec.parsed.body_lines._lines is None
    assert len(parse._TREES) <= parse._TREES_KEPT  # the few recent trees are bounded


def test_positions_and_body_come_back_when_asked(generated: Path) -> None:
    graph = _load(generated)
    rec = graph.records[0]
    text = (generated / rec.path).read_text(encoding="utf-8")
    fresh = parse.parse_text(text)
    parse._TREES.clear()  # positions are worked out again from the YAML text
    for key in rec.data:
        assert rec.parsed.pos((key,)) == fresh.pos((key,))
    assert list(rec.parsed.body_lines) == fresh.body_lines


def test_memory_kept_per_record_is_far_below_a_composed_tree(generated: Path) -> None:
    settings = config.load(generated)
    load_graph(settings, local_rules=PER_RECORD)  # imports and schema validators, once
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        graph = load_graph(settings, local_rules=PER_RECORD)
        parse._TREES.clear()
        gc.collect()
        per_record = (tracemalloc.get_traced_memory()[0] - before) / len(graph.records)
        trees = [yaml.compose(parse._read_again(r.parsed), Loader=parse._Loader)
                 for r in graph.records if r.parsed._file]  # fmt: skip
        assert len(trees) > len(graph.records) // 2
        per_tree = (tracemalloc.get_traced_memory()[0] - before) / len(graph.records) - per_record
        del trees
    finally:
        tracemalloc.stop()
    # A record keeps its values and its body's headings and links: a few KB (its YAML text is
    # read again from the file for a position).
    # Keeping the composed tree as well would add more than that again.
    assert per_tree > per_record
    assert per_record < 10_000, f"{per_record:.0f} bytes kept per record"


def test_a_file_changed_since_it_was_read_gives_no_wrong_position(generated: Path) -> None:
    graph = _load(generated)
    rec = next(r for r in graph.records if r.parsed._file and len(r.data) > 3)
    key = list(rec.data)[-1]
    path = generated / rec.path
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", "---\nadded: 1\n", 1), encoding="utf-8")  # every line moves
    try:
        parse._TREES.clear()
        assert rec.parsed.pos((key,)) == (rec.parsed.fm_start, 1)
        assert rec.parsed.positions == {(): (rec.parsed.fm_start, 1, rec.parsed.fm_start, 1)}
    finally:
        path.write_text(text, encoding="utf-8")
