"""The pipeline: files -> records -> graph -> rules -> diagnostics."""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tracecard.config import Settings
from tracecard.diagnostics import Diagnostic, matches, select
from tracecard.discover import kind_of_path, load_record, record_files
from tracecard.graph import RepoGraph
from tracecard.records import Record
from tracecard.rules import RULES, Rule


def load_graph(settings: Settings, extra: Iterable[Path] = ()) -> RepoGraph:
    """Every record of the repository, plus any `extra` files that turn out to be records."""
    with no_gc():
        return _load_graph(settings, extra)


def _load_graph(settings: Settings, extra: Iterable[Path]) -> RepoGraph:
    records: list[Record] = []
    files = record_files(settings)
    for path, kind in files:
        rec = load_record(settings, path, kind)
        if rec is not None:
            records.append(rec)
    extra = list(extra)
    seen = {path.resolve() for path, _ in files} if extra else set()
    for path in extra:
        resolved = path.resolve()
        if resolved in seen or not path.is_file() or path.suffix.lower() != ".md":
            continue
        seen.add(resolved)
        rec = load_record(settings, path, kind_of_path(settings, path))
        if rec is not None:
            records.append(rec)
    return RepoGraph.build(settings, records)


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: a run allocates many small objects that all live to
    its end, so collections find nothing and cost a fifth of the time on large repositories."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What the run built is still referenced until the report is written: keep the
        # collector from scanning it all once more (refcounting still frees it afterwards).
        gc.freeze()
        if was:
            gc.enable()


@dataclass(frozen=True)
class Result:
    diagnostics: list[Diagnostic]
    suppressed: int
    records: int


def run_rules(
    graph: RepoGraph,
    rules: Iterable[type[Rule]] | None = None,
    *,
    note: Callable[[str], None] | None = None,
) -> Result:
    """Run the selected rules; drop what the settings or a record's `tracecard-ignore` exclude.

    `note` receives the one line that says history rules were skipped or limited (by default
    it goes to stderr as `tracecard: ...`)."""
    settings = graph.settings
    chosen = [r for r in (rules or RULES.values()) if _may_fire(r.code, settings)]
    chosen = _with_history(graph, chosen, note or _to_stderr)
    found: list[Diagnostic] = []
    for rule_cls in chosen:
        rule = rule_cls()
        for f in rule.check(graph):
            found.append(Diagnostic(f.path, f.line, f.col, rule.code, rule.severity, f.message, f.commit))
    found = select(found, settings.select, settings.ignore)
    by_path = {r.path: r.suppressed for r in graph.records if r.suppressed}
    kept = [d for d in found if not matches(d.code, by_path.get(d.path, ()))]
    kept.sort(key=Diagnostic.sort_key)
    return Result(kept, len(found) - len(kept), len(graph.records))


def _with_history(
    graph: RepoGraph, chosen: list[type[Rule]], note: Callable[[str], None]
) -> list[type[Rule]]:
    """Rules that read git history run only when it can be read; git is not even imported
    unless one of them is selected."""
    if not any(r.needs_history for r in chosen):
        return chosen
    from tracecard.history import history_state

    available, said = history_state(graph)
    if said:
        note(said)
    return chosen if available else [r for r in chosen if not r.needs_history]


def _to_stderr(line: str) -> None:
    print(f"tracecard: {line}", file=sys.stderr)


def _may_fire(code: str, settings: Settings) -> bool:
    return bool(select([Diagnostic("", 0, 0, code, None, "")], settings.select, settings.ignore))  # type: ignore[arg-type]
