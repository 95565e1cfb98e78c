"""Loading a repository: files -> records -> RepoGraph (`load_graph`)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator
from pathlib import Path

from tracecard.load.config import Settings
from tracecard.load.discover import discovery_skips, kind_of_path, load_record, record_files
from tracecard.model.graph import RepoGraph
from tracecard.model.records import STATUS_ALIASES, Record


def load_graph(settings: Settings, extra: Iterable[Path] = ()) -> RepoGraph:
    """Every record of the repository, plus any `extra` files that turn out to be records.

    A change that a killed writer left half done is undone first (`tracecard.edit.transaction`)."""
    from tracecard.edit.transaction import recover

    recover(settings.root)
    with no_gc():
        return _load_graph(settings, extra)


def _load_graph(settings: Settings, extra: Iterable[Path]) -> RepoGraph:
    STATUS_ALIASES.clear()
    STATUS_ALIASES.update(settings.statuses)
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
        if discovery_skips(settings, path):
            continue  # what a whole-repository check does not read is not a record here either
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
